package org.sparkcnn.data;

import org.sparkcnn.common.BadInputException;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;

/**
 * Reads encoded images (PNG, JPEG, BMP, GIF) safely: the size the header declares is checked before the
 * pixels are decoded, because ImageIO allocates the raster its header declares (a PNG declaring
 * 535368149x1 pixels ran for over 10 s and one declaring 50000x50000 fails to allocate:
 * PixelDecoderFuzzTest). Its readers throw assorted unchecked exceptions on damaged data (index,
 * argument, state), which are reported like its IOExceptions.
 */
public final class EncodedImages {
    /** Largest image read without a known expected size: 8192x8192 pixels. */
    static final long MAX_PIXELS = 8192L * 8192L;

    private EncodedImages() {
    }

    /** Checks the declared size (width, height) before decoding; throws to refuse it. */
    @FunctionalInterface
    public interface SizeCheck {
        void check(int width, int height);
    }

    /** The bytes are not a readable image; {@link #getMessage()} says why. */
    public static final class UnreadableImageException extends Exception {
        UnreadableImageException(String why) {
            super(why);
        }
    }

    /**
     * @param check called with the header's size before decoding; a {@link BadInputException} it throws
     *              passes through unchanged
     */
    public static BufferedImage read(byte[] bytes, SizeCheck check) throws UnreadableImageException {
        try (ImageInputStream stream = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(stream);
            if (!readers.hasNext()) {
                throw new UnreadableImageException("no image format recognised");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(stream, true, true);
                check.check(reader.getWidth(0), reader.getHeight(0));
                return reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (BadInputException | UnreadableImageException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new UnreadableImageException(e.toString());
        }
    }

    /** Whether the image holds colour: RGB bands, or a palette with a colour that is not grey. */
    static boolean isColour(BufferedImage image) {
        if (image.getColorModel() instanceof IndexColorModel palette) {
            for (int i = 0; i < palette.getMapSize(); i++) {
                int r = palette.getRed(i);
                if (r != palette.getGreen(i) || r != palette.getBlue(i)) {
                    return true;
                }
            }
            return false;
        }
        return image.getRaster().getNumBands() > 2;
    }

    /**
     * The image's pixels as unsigned bytes, channel-major: 1 channel (grey) or 3 (RGB), as it is stored.
     * Grey samples are read as stored (getRGB would convert linear grey to sRGB and shift them); alpha
     * is ignored.
     */
    static byte[] channelMajor(BufferedImage image, int channels) {
        int rows = image.getHeight();
        int cols = image.getWidth();
        int plane = rows * cols;
        byte[] out = new byte[channels * plane];
        Raster raster = image.getRaster();
        boolean palette = image.getColorModel() instanceof IndexColorModel;
        int bands = raster.getNumBands();
        double scale = 255.0 / ((1 << image.getColorModel().getComponentSize(0)) - 1.0);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int at = r * cols + c;
                if (palette) {
                    int rgb = image.getRGB(c, r);
                    out[at] = (byte) (channels == 1 ? rgb & 0xff : (rgb >> 16) & 0xff);
                    if (channels == 3) {
                        out[plane + at] = (byte) ((rgb >> 8) & 0xff);
                        out[2 * plane + at] = (byte) (rgb & 0xff);
                    }
                } else {
                    for (int ch = 0; ch < channels; ch++) {
                        int band = bands <= 2 ? 0 : ch;
                        out[ch * plane + at] = (byte) Math.round(raster.getSample(c, r, band) * scale);
                    }
                }
            }
        }
        return out;
    }
}
