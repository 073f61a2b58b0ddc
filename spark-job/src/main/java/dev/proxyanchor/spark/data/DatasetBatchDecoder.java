package dev.proxyanchor.spark.data;

import dev.proxyanchor.datasets.DatasetException;
import dev.proxyanchor.datasets.IdxFiles;
import dev.proxyanchor.spark.train.BatchDecoder;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.datavec.spark.util.SerializableHadoopConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Decodes the images of the datasets module on an executor, reading through the driver's Hadoop configuration.
 * Fashion-MNIST samples ({@code <idx file>#<index>}) become 1 x 28 x 28 in [0, 1], without augmentation.
 */
public final class DatasetBatchDecoder implements BatchDecoder {

    private final SerializableHadoopConfig hadoopConf;
    private transient Configuration conf;

    public DatasetBatchDecoder(Configuration conf) {
        this.hadoopConf = new SerializableHadoopConfig(conf);
    }

    private Configuration conf() {
        if (conf == null) {
            conf = hadoopConf.getConfiguration();
        }
        return conf;
    }

    @Override
    public INDArray decode(String[] uris, long[] seeds, boolean train) throws IOException {
        if (uris.length == 0) {
            throw new IllegalArgumentException("empty batch");
        }
        float[] first = idxImage(uris[0]);
        float[] pixels = new float[uris.length * first.length];
        System.arraycopy(first, 0, pixels, 0, first.length);
        for (int i = 1; i < uris.length; i++) {
            float[] image = idxImage(uris[i]);
            System.arraycopy(image, 0, pixels, i * first.length, first.length);
        }
        int side = (int) Math.round(Math.sqrt(first.length));
        return Nd4j.create(pixels, new long[] {uris.length, 1, side, side}, 'c');
    }

    private float[] idxImage(String uri) {
        int hash = uri.lastIndexOf('#');
        if (hash < 0) {
            throw new DatasetException("cannot decode " + uri + ": only Fashion-MNIST idx samples (<file>#<index>) "
                    + "are decoded by this build");
        }
        try {
            return IdxFiles.images(uri.substring(0, hash), conf()).image(Integer.parseInt(uri.substring(hash + 1)));
        } catch (NumberFormatException e) {
            throw new DatasetException("bad image index in " + uri, e);
        }
    }
}
