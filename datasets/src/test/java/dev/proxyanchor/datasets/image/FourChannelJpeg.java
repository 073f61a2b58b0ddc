package dev.proxyanchor.datasets.image;

import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/** 16 x 16 four-channel JPEGs as Photoshop writes them: raw channels plus an Adobe APP14 marker with the transform. */
final class FourChannelJpeg {

    private FourChannelJpeg() {}

    /** @param adobeTransform 0 for CMYK, 2 for YCCK */
    static byte[] write(int[] channels, int adobeTransform) throws IOException {
        WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 16, 16, 4, null);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                raster.setPixel(x, y, channels);
            }
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(raster, null, null), null);
        } finally {
            writer.dispose();
        }
        byte[] jpeg = bytes.toByteArray();
        byte[] app14 = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0,
                (byte) adobeTransform};
        byte[] withMarker = new byte[jpeg.length + app14.length];
        System.arraycopy(jpeg, 0, withMarker, 0, 2);
        System.arraycopy(app14, 0, withMarker, 2, app14.length);
        System.arraycopy(jpeg, 2, withMarker, 2 + app14.length, jpeg.length - 2);
        return withMarker;
    }
}
