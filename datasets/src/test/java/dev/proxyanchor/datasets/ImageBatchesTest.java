package dev.proxyanchor.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.datasets.image.ImageTransforms;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

class ImageBatchesTest {

    @TempDir
    Path tmp;

    private final SampleLoader loader = new SampleLoader(new Configuration());

    /** Pixel 0..783 of image {@code index}, read straight from the idx file as an independent truth. */
    private static int[] idxPixels(String file, int index) throws IOException {
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(
                new java.io.FileInputStream(file)))) {
            in.skipNBytes(16 + (long) index * 784);
            int[] pixels = new int[784];
            for (int i = 0; i < 784; i++) {
                pixels[i] = in.readUnsignedByte();
            }
            return pixels;
        }
    }

    @Test
    void fashionMnistBatchesAreGreyNchwIn0To1WithOneHotLabels() throws IOException {
        FashionMnistTest.assumeDebianPackage();
        DatasetListing listing = new FashionMnist().list(FashionMnist.DEBIAN_ROOT, DatasetOptions.defaults(),
                new Configuration());
        List<Sample> train = listing.samples(Role.TRAIN).subList(0, 70);
        ImageBatches batches = ImageBatches.builder(loader, ImageTransforms.forTraining("small_cnn"), 32)
                .oneHot(listing.numTrainClasses()).build();
        Iterator<DataSet> it = batches.over(train.iterator());

        DataSet first = it.next();
        INDArray x = first.getFeatures();
        assertArrayEquals(new long[] {32, 1, 28, 28}, x.shape());
        assertEquals(DataType.FLOAT, x.dataType());
        assertTrue(x.minNumber().doubleValue() >= 0 && x.maxNumber().doubleValue() <= 1);
        assertArrayEquals(new long[] {32, 5}, first.getLabels().shape());
        for (int i = 0; i < 32; i++) {
            assertEquals(train.get(i).label(), first.getLabels().getRow(i).argMax().getInt(0));
            assertEquals(1.0, first.getLabels().getRow(i).sumNumber().doubleValue(), 0);
        }
        Sample third = train.get(2);
        IdxEntry entry = IdxEntry.parse(third.uri()).orElseThrow();
        int[] truth = idxPixels(new org.apache.hadoop.fs.Path(entry.fileUri()).toUri().getPath(), entry.index());
        for (int p = 0; p < 784; p += 37) {
            assertEquals(truth[p] / 255.0, x.getDouble(2, 0, p / 28, p % 28), 1e-6);
        }
        assertEquals(32, it.next().numExamples());
        assertEquals(6, it.next().numExamples(), "the last batch is smaller");
        assertFalse(it.hasNext());
    }

    @Test
    void batchesAreMadeLazily() {
        DatasetFixtures.fashionMnist(tmp);
        DatasetListing listing = new FashionMnist().list(tmp.toString(), DatasetOptions.defaults(),
                new Configuration());
        AtomicInteger taken = new AtomicInteger();
        Iterator<Sample> counting = listing.samples(Role.TRAIN).stream().peek(s -> taken.incrementAndGet())
                .iterator();
        Iterator<DataSet> it = ImageBatches.builder(loader, ImageTransforms.forEvaluation("small_cnn"), 4)
                .build().over(counting);
        assertEquals(0, taken.get());
        DataSet batch = it.next();
        assertEquals(4, taken.get());
        assertArrayEquals(new long[] {4, 1}, batch.getLabels().shape(), "without one-hot, the label itself");
        assertEquals(listing.samples(Role.TRAIN).get(3).label(), batch.getLabels().getInt(3, 0));
        int image = IdxEntry.parse(listing.samples(Role.TRAIN).get(1).uri()).orElseThrow().index();
        assertEquals(DatasetFixtures.fashionMnistPixel(image, 30) / 255.0,
                batch.getFeatures().getDouble(1, 0, 1, 2), 1e-6);
    }

    @Test
    void dropLastLeavesOutTheShortBatch() {
        DatasetFixtures.fashionMnist(tmp);
        List<Sample> train = new FashionMnist().list(tmp.toString(), DatasetOptions.defaults(), new Configuration())
                .samples(Role.TRAIN);
        Iterator<DataSet> it = ImageBatches.builder(loader, ImageTransforms.forTraining("small_cnn"), 8).oneHot(5)
                .dropLast().build().over(train.iterator());
        int batches = 0;
        while (it.hasNext()) {
            assertEquals(8, it.next().numExamples());
            batches++;
        }
        assertEquals(2, batches);
    }

    @Test
    void evaluationLabelsDoNotFitOneHotTrainingLabels() {
        DatasetFixtures.fashionMnist(tmp);
        List<Sample> eval = new FashionMnist().list(tmp.toString(), DatasetOptions.defaults(), new Configuration())
                .samples(Role.EVAL);
        Iterator<DataSet> it = ImageBatches.builder(loader, ImageTransforms.forTraining("small_cnn"), 8).oneHot(5)
                .build().over(eval.iterator());
        DatasetException e = assertThrows(DatasetException.class, it::next);
        assertTrue(e.getMessage().contains("outside 0..4"), e.getMessage());
    }

    @Test
    void corruptImageInABatchIsNamed() {
        DatasetFixtures.classFolders(tmp);
        Path broken = tmp.resolve("train/cat/0.jpg");
        byte[] jpeg = TestImages.encode(TestImages.pattern(120, 90, 1), "jpg");
        TestImages.write(broken, java.util.Arrays.copyOf(jpeg, jpeg.length / 3));
        DatasetListing listing = new ClassFolders().list(tmp.toString(), DatasetOptions.defaults(),
                new Configuration());
        Iterator<DataSet> it = ImageBatches.builder(loader, ImageTransforms.forTraining("resnet50"), 16)
                .oneHot(listing.numTrainClasses()).seed(1, 0).build().over(listing.samples(Role.TRAIN).iterator());
        DatasetException e = assertThrows(DatasetException.class, it::next);
        assertTrue(e.getMessage().contains("train/cat/0.jpg"), e.getMessage());
    }

    @Test
    void jpegBatchesAreRgbNchw224() {
        DatasetFixtures.classFolders(tmp);
        DatasetListing listing = new ClassFolders().list(tmp.toString(), DatasetOptions.defaults(),
                new Configuration());
        DataSet batch = ImageBatches.builder(loader, ImageTransforms.forEvaluation("bn_inception"), 16).build()
                .over(listing.samples(Role.EVAL).iterator()).next();
        assertArrayEquals(new long[] {4, 3, 224, 224}, batch.getFeatures().shape());
    }

    @Test
    void loaderAndBatchesSurviveJavaSerialisation() throws Exception {
        DatasetFixtures.fashionMnist(tmp);
        Configuration conf = new Configuration(false);
        conf.set("proxyanchor.test.key", "kept");
        ImageBatches batches = ImageBatches.builder(new SampleLoader(conf), ImageTransforms.forTraining("small_cnn"),
                2).oneHot(5).build();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(batches);
        }
        ImageBatches copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (ImageBatches) in.readObject();
        }
        List<Sample> train = new FashionMnist().list(tmp.toString(), DatasetOptions.defaults(), new Configuration())
                .samples(Role.TRAIN);
        assertEquals(batches.over(train.iterator()).next().getFeatures(),
                copy.over(train.iterator()).next().getFeatures());
    }
}
