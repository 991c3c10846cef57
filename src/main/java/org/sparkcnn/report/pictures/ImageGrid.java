package org.sparkcnn.report.pictures;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Draws small images (digits, filters, feature maps) in a labelled grid, each scaled up so a person can
 * see the pixels. Grey images (one channel) are mapped to gray levels between {@code min} (black) and
 * {@code max} (white), or reversed for digits (ink dark on white paper); colour images (three channels,
 * red, green, blue) map each channel the same way to its own intensity.
 */
final class ImageGrid {
    /** One tile: channel-major, then row-major values and a caption (may be empty). */
    record Tile(float[] values, String caption) {
    }

    private final int rows;
    private final int cols;
    private final int channels;
    private final int scale;
    private final int columns;

    /**
     * @param rows     image height in pixels
     * @param cols     image width in pixels
     * @param channels 1 (grey) or 3 (RGB)
     * @param scale    screen pixels per image pixel
     * @param columns  tiles per grid row
     */
    ImageGrid(int rows, int cols, int channels, int scale, int columns) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        }
        this.rows = rows;
        this.cols = cols;
        this.channels = channels;
        this.scale = scale;
        this.columns = columns;
    }

    BufferedImage draw(List<Tile> tiles, float min, float max, boolean inkOnPaper) {
        boolean captions = tiles.stream().anyMatch(t -> !t.caption().isEmpty());
        int captionHeight = captions ? 16 : 0;
        int gap = 6;
        int tileW = cols * scale;
        int tileH = rows * scale;
        int gridRows = Math.max(1, (tiles.size() + columns - 1) / columns);
        int width = Math.min(columns, Math.max(1, tiles.size())) * (tileW + gap) + gap;
        int height = gridRows * (tileH + captionHeight + gap) + gap;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        float range = max > min ? max - min : 1f;
        for (int t = 0; t < tiles.size(); t++) {
            int x0 = gap + (t % columns) * (tileW + gap);
            int y0 = gap + (t / columns) * (tileH + captionHeight + gap);
            float[] values = tiles.get(t).values();
            int plane = rows * cols;
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    int red = level(values[r * cols + c], min, range, inkOnPaper);
                    g.setColor(channels == 1 ? new Color(red, red, red) : new Color(red,
                            level(values[plane + r * cols + c], min, range, inkOnPaper),
                            level(values[2 * plane + r * cols + c], min, range, inkOnPaper)));
                    g.fillRect(x0 + c * scale, y0 + r * scale, scale, scale);
                }
            }
            g.setColor(Color.LIGHT_GRAY);
            g.drawRect(x0 - 1, y0 - 1, tileW + 1, tileH + 1);
            if (captions) {
                g.setColor(Color.BLACK);
                g.drawString(tiles.get(t).caption(), x0, y0 + tileH + captionHeight - 4);
            }
        }
        g.dispose();
        return image;
    }

    /** A value's intensity 0-255 on the scale [min, min + range], reversed for ink on paper. */
    private static int level(float value, float min, float range, boolean inkOnPaper) {
        float v = Math.max(0f, Math.min(1f, (value - min) / range));
        return Math.round((inkOnPaper ? 1f - v : v) * 255f);
    }
}
