package dev.proxyanchor.spark.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.proxyanchor.datasets.DatasetException;
import dev.proxyanchor.model.backbones.Backbones;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The production batch path of train and embed: image files to the backbone's NCHW input. */
class DatasetBatchDecoderTest {

    private static final String FASHION_TRAIN = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz";

    @TempDir
    Path tmp;

    private static DatasetBatchDecoder decoderFor(String backbone) {
        return new DatasetBatchDecoder(new Configuration(), Backbones.create(backbone).inputSpec());
    }

    /** Pixel 0..783 of image {@code index}, read straight from the idx file as an independent truth. */
    private static int[] idxPixels(int index) throws IOException {
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(new FileInputStream(FASHION_TRAIN)))) {
            in.skipNBytes(16 + (long) index * 784);
            int[] pixels = new int[784];
            for (int i = 0; i < 784; i++) {
                pixels[i] = in.readUnsignedByte();
            }
            return pixels;
        }
    }

    private Path jpeg(String name, int width, int height) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, (x * 3 & 0xFF) << 16 | (y * 5 & 0xFF) << 8 | (x + y) & 0xFF);
            }
        }
        Path file = tmp.resolve(name);
        Files.createDirectories(file.getParent());
        ImageIO.write(image, "jpg", file.toFile());
        return file;
    }

    @Test
    void fashionMnistBatchesAreGreyNchwIn0To1AsTheIdxBytesSay() throws IOException {
        assumeTrue(Files.exists(Path.of(FASHION_TRAIN)), "install Debian's dataset-fashion-mnist "
                + "(submit/setup-debian.sh does)");
        String[] uris = new String[5];
        for (int i = 0; i < uris.length; i++) {
            uris[i] = "file:" + FASHION_TRAIN + "#" + (i * 7);
        }
        INDArray x = decoderFor("small_cnn").decode(uris, new long[uris.length], true);
        assertArrayEquals(new long[] {5, 1, 28, 28}, x.shape());
        assertEquals(DataType.FLOAT, x.dataType());
        int[] truth = idxPixels(14);
        for (int p = 0; p < 784; p += 37) {
            assertEquals(truth[p] / 255.0, x.getDouble(2, 0, p / 28, p % 28), 1e-6);
        }
    }

    @Test
    void jpegBatchesAreThreeBy224ForImageNetBackbones() throws IOException {
        String[] uris = {jpeg("a.jpg", 120, 90).toUri().toString(), jpeg("b.jpg", 61, 173).toUri().toString()};
        assertArrayEquals(new long[] {2, 3, 224, 224}, decoderFor("bn_inception").decode(uris, new long[2], false)
                .shape());
        assertArrayEquals(new long[] {2, 3, 224, 224}, decoderFor("resnet50").decode(uris, new long[] {1, 2}, true)
                .shape());
    }

    @Test
    void aCorruptImageInABatchIsNamed() throws IOException {
        Path good = jpeg("cub/good.jpg", 120, 90);
        Path broken = jpeg("cub/broken.jpg", 120, 90);
        byte[] bytes = Files.readAllBytes(broken);
        Files.write(broken, Arrays.copyOf(bytes, bytes.length / 3));
        DatasetException e = assertThrows(DatasetException.class, () -> decoderFor("resnet50").decode(
                new String[] {good.toUri().toString(), broken.toUri().toString()}, new long[2], true));
        assertTrue(e.getMessage().contains("cub/broken.jpg"), e.getMessage());
    }

    @Test
    void survivesJavaSerialisationAsSparkShipsIt() throws Exception {
        DatasetBatchDecoder decoder = decoderFor("bn_inception");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(decoder);
        }
        DatasetBatchDecoder copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (DatasetBatchDecoder) in.readObject();
        }
        String[] uris = {jpeg("c.jpg", 100, 80).toUri().toString()};
        assertEquals(decoder.decode(uris, new long[] {5}, true), copy.decode(uris, new long[] {5}, true));
    }
}
