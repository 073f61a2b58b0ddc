package dev.proxyanchor.spark.report;

import dev.proxyanchor.datasets.image.RgbImage;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import javax.imageio.ImageIO;

/** Small PNG copies of images, inlined in the page as data URIs so that it needs no other file. */
final class Thumbnails {

    private Thumbnails() {
    }

    /**
     * The image scaled to fit {@code side} x {@code side}: small images (Fashion-MNIST's 28 x 28) grow by whole
     * pixels so they stay sharp, large ones shrink smoothly.
     */
    static String dataUri(RgbImage image, int side) {
        BufferedImage source = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_INT_RGB);
        source.setRGB(0, 0, image.width(), image.height(), image.pixels(), 0, image.width());
        double scale = Math.min((double) side / image.width(), (double) side / image.height());
        boolean grow = scale >= 1;
        if (grow) {
            scale = Math.floor(scale);
        }
        int w = Math.max(1, (int) Math.round(image.width() * scale));
        int h = Math.max(1, (int) Math.round(image.height() * scale));
        BufferedImage scaled = source;
        // Halving steps first: one bicubic step from a photo straight to a thumbnail skips pixels (aliasing).
        while (!grow && scaled.getWidth() / 2 >= w && scaled.getHeight() / 2 >= h) {
            scaled = resize(scaled, scaled.getWidth() / 2, scaled.getHeight() / 2, false);
        }
        scaled = resize(scaled, w, h, grow);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        try {
            ImageIO.write(scaled, "png", png);
        } catch (IOException e) {
            throw new UncheckedIOException("encoding a thumbnail", e);
        }
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(png.toByteArray());
    }

    private static BufferedImage resize(BufferedImage image, int w, int h, boolean wholePixels) {
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        var g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, wholePixels
                ? RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR : RenderingHints.VALUE_INTERPOLATION_BICUBIC);
        g.drawImage(image, 0, 0, w, h, null);
        g.dispose();
        return out;
    }
}
