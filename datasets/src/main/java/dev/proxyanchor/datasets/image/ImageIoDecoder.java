package dev.proxyanchor.datasets.image;

import dev.proxyanchor.datasets.DatasetException;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageInputStream;
import org.w3c.dom.Node;

/**
 * The fallback decoder: the JDK's own ImageIO readers, chosen by name so that a plug-in on the class path (such as
 * TwelveMonkeys, which DL4J's image module brings) never takes over. Decodes to 8-bit RGB as Pillow's
 * {@code Image.open(...).convert("RGB")} does: grey images are copied to the three channels, alpha is dropped,
 * palettes are expanded, and CMYK / YCCK JPEGs (which ImageIO cannot convert) are converted here. A truncated or
 * corrupt file is an error naming it, never a half-grey image.
 */
public final class ImageIoDecoder implements ImageDecoder {

    private static final String JPEG_METADATA = "javax_imageio_jpeg_image_1.0";
    private static final int NOT_FOUR_CHANNEL_JPEG = Integer.MIN_VALUE;

    /** The JDK's own readers live here; plug-ins elsewhere. */
    private static final String JDK_READERS = "com.sun.imageio.plugins.";

    @Override
    public boolean reads(ImageHeader header) {
        return true;
    }

    @Override
    public RgbImage decode(byte[] bytes, ImageHeader header, String source) {
        try (var in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            ImageReader reader = jdkReader(in).orElseThrow(() -> unreadable(source, "its format (" + formatOf(bytes)
                    + ") is not one of JPEG, PNG, BMP, GIF, TIFF, WBMP", null));
            try {
                reader.setInput(in, true, false);
                if (header.format() == ImageHeader.Format.OTHER) {
                    ImageLimits.check(new ImageHeader(header.format(), reader.getWidth(0), reader.getHeight(0), 0,
                            false, bytes.length), source);
                }
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

    /** A name for the formats people meet in image folders but no decoder here reads, from their signatures. */
    static String formatOf(byte[] bytes) {
        String head = new String(bytes, 0, Math.min(bytes.length, 32), StandardCharsets.ISO_8859_1);
        if (head.startsWith("RIFF") && head.startsWith("WEBP", 8)) {
            return "WebP";
        }
        if (head.startsWith("ftyp", 4)) {
            return head.startsWith("avif", 8) ? "AVIF" : "HEIF/HEIC";
        }
        if (head.startsWith("\0\0\0\fjP  ") || head.startsWith("\u00FF\u004F\u00FF\u0051")) {
            return "JPEG 2000";
        }
        if (head.startsWith("8BPS")) {
            return "Photoshop PSD";
        }
        if (head.startsWith("%PDF")) {
            return "PDF";
        }
        if (head.stripLeading().startsWith("<")) {
            return "text: HTML, XML or SVG";
        }
        StringBuilder hex = new StringBuilder("unknown, first bytes");
        for (int i = 0; i < Math.min(bytes.length, 8); i++) {
            hex.append(String.format(" %02x", bytes[i] & 0xFF));
        }
        return bytes.length == 0 ? "empty file" : hex.toString();
    }

    private static Optional<ImageReader> jdkReader(ImageInputStream in) {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        while (readers.hasNext()) {
            ImageReader reader = readers.next();
            if (reader.getOriginatingProvider().getClass().getName().startsWith(JDK_READERS)) {
                return Optional.of(reader);
            }
            reader.dispose();
        }
        return Optional.empty();
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
