package dev.proxyanchor.datasets.image;

import dev.proxyanchor.datasets.DatasetException;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import org.w3c.dom.Node;

/**
 * Decodes image file bytes to 8-bit RGB, as PIL's {@code Image.open(...).convert("RGB")} does: grey images are
 * copied to the three channels, alpha is dropped, palettes are expanded, and CMYK / YCCK JPEGs (which ImageIO cannot
 * convert) are converted here. A truncated or corrupt file is an error naming it, never a half-grey image.
 */
public final class ImageDecoder {

    private static final String JPEG_METADATA = "javax_imageio_jpeg_image_1.0";
    private static final int NOT_FOUR_CHANNEL_JPEG = Integer.MIN_VALUE;

    private ImageDecoder() {}

    /**
     * @param source where the bytes came from, for messages
     * @throws DatasetException when the bytes are not a complete image ImageIO can read
     */
    public static RgbImage decode(byte[] bytes, String source) {
        try (var in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw unreadable(source, "its format is not one ImageIO reads (JPEG, PNG, BMP, GIF, TIFF)", null);
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, false);
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener((r, warning) -> warnings.add(warning));
                int adobeTransform = fourChannelJpegTransform(reader);
                RgbImage image = adobeTransform == NOT_FOUR_CHANNEL_JPEG
                        ? toRgb(reader.read(0))
                        : CmykConversion.toRgb(reader.readRaster(0, null), adobeTransform);
                for (String warning : warnings) {
                    // libjpeg fills the rest of a truncated file with grey and only warns.
                    String lower = warning.toLowerCase(Locale.ROOT);
                    if (lower.contains("premature end") || lower.contains("truncated")) {
                        throw unreadable(source, "it is truncated (" + warning + ")", null);
                    }
                }
                return image;
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw unreadable(source, e.getMessage(), e);
        } catch (DatasetException e) {
            throw e;
        } catch (RuntimeException e) {
            // ImageIO's decoders throw assorted runtime exceptions on corrupt data.
            throw unreadable(source, e.toString(), e);
        }
    }

    /**
     * For a four-channel JPEG, the Adobe marker's transform (-1 without the marker); otherwise
     * {@link #NOT_FOUR_CHANNEL_JPEG}.
     */
    private static int fourChannelJpegTransform(ImageReader reader) throws IOException {
        if (!"jpeg".equalsIgnoreCase(reader.getFormatName())) {
            return NOT_FOUR_CHANNEL_JPEG;
        }
        IIOMetadata metadata = reader.getImageMetadata(0);
        if (metadata == null) {
            return NOT_FOUR_CHANNEL_JPEG;
        }
        Node tree = metadata.getAsTree(JPEG_METADATA);
        Node sof = find(tree, "sof");
        if (sof == null || !"4".equals(attribute(sof, "numFrameComponents"))) {
            return NOT_FOUR_CHANNEL_JPEG;
        }
        Node adobe = find(tree, "app14Adobe");
        return adobe == null ? -1 : Integer.parseInt(attribute(adobe, "transform"));
    }

    private static Node find(Node node, String name) {
        if (name.equals(node.getNodeName())) {
            return node;
        }
        for (Node child = node.getFirstChild(); child != null; child = child.getNextSibling()) {
            Node found = find(child, name);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    private static String attribute(Node node, String name) {
        Node attribute = node.getAttributes() == null ? null : node.getAttributes().getNamedItem(name);
        return attribute == null ? null : attribute.getNodeValue();
    }

    /**
     * Grey images are read from the raster: {@link BufferedImage#getRGB} would treat their values as linear light
     * and brighten them, which PIL does not.
     */
    private static RgbImage toRgb(BufferedImage image) {
        int width = image.getWidth();
        int height = image.getHeight();
        int[] pixels = new int[width * height];
        Raster raster = image.getRaster();
        boolean grey = !(image.getColorModel() instanceof IndexColorModel)
                && image.getColorModel().getNumColorComponents() == 1;
        if (grey) {
            int max = (1 << image.getColorModel().getComponentSize(0)) - 1;
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    int v = (int) Math.round(raster.getSample(x, y, 0) * 255.0 / max);
                    pixels[y * width + x] = v << 16 | v << 8 | v;
                }
            }
        } else {
            image.getRGB(0, 0, width, height, pixels, 0, width);
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] &= 0xFFFFFF;
            }
        }
        return new RgbImage(width, height, pixels);
    }

    private static DatasetException unreadable(String source, String why, Throwable cause) {
        return new DatasetException("cannot decode image " + source + ": " + why + ". Replace or remove the file "
                + "(re-extract the dataset if it came from an archive).", cause);
    }
}
