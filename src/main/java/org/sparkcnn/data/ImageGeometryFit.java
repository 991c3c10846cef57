package org.sparkcnn.data;

/**
 * Brings channel-major unsigned-byte pixels to another size (bilinear) and channel count: grey to RGB
 * repeats the plane, RGB to grey takes the ITU-R BT.601 luma.
 */
final class ImageGeometryFit {
    private ImageGeometryFit() {
    }

    static byte[] fit(byte[] pixels, int rows, int cols, int channels, int toRows, int toCols, int toChannels) {
        byte[] sized = rows == toRows && cols == toCols ? pixels : resize(pixels, rows, cols, channels, toRows, toCols);
        return channels == toChannels ? sized : convert(sized, toRows * toCols, channels, toChannels);
    }

    /** Bilinear, sampling at pixel centres (as Java2D's and PIL's bilinear scaling do). */
    static byte[] resize(byte[] pixels, int rows, int cols, int channels, int toRows, int toCols) {
        byte[] out = new byte[channels * toRows * toCols];
        double rowScale = (double) rows / toRows;
        double colScale = (double) cols / toCols;
        for (int ch = 0; ch < channels; ch++) {
            int from = ch * rows * cols;
            int to = ch * toRows * toCols;
            for (int r = 0; r < toRows; r++) {
                double y = Math.max(0, Math.min(rows - 1, (r + 0.5) * rowScale - 0.5));
                int y0 = (int) y;
                int y1 = Math.min(rows - 1, y0 + 1);
                double fy = y - y0;
                for (int c = 0; c < toCols; c++) {
                    double x = Math.max(0, Math.min(cols - 1, (c + 0.5) * colScale - 0.5));
                    int x0 = (int) x;
                    int x1 = Math.min(cols - 1, x0 + 1);
                    double fx = x - x0;
                    double top = (pixels[from + y0 * cols + x0] & 0xff) * (1 - fx) + (pixels[from + y0 * cols + x1] & 0xff) * fx;
                    double bottom = (pixels[from + y1 * cols + x0] & 0xff) * (1 - fx) + (pixels[from + y1 * cols + x1] & 0xff) * fx;
                    out[to + r * toCols + c] = (byte) Math.round(top * (1 - fy) + bottom * fy);
                }
            }
        }
        return out;
    }

    private static byte[] convert(byte[] pixels, int plane, int channels, int toChannels) {
        byte[] out = new byte[toChannels * plane];
        if (toChannels == 3) {
            for (int ch = 0; ch < 3; ch++) {
                System.arraycopy(pixels, 0, out, ch * plane, plane);
            }
            return out;
        }
        for (int i = 0; i < plane; i++) {
            out[i] = (byte) Math.round(0.299 * (pixels[i] & 0xff) + 0.587 * (pixels[plane + i] & 0xff)
                    + 0.114 * (pixels[2 * plane + i] & 0xff));
        }
        return out;
    }
}
