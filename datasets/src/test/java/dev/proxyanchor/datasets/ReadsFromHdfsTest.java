package dev.proxyanchor.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.datasets.image.RgbImage;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The readers and the loader go through Hadoop FileSystem: the same code lists and decodes from a real HDFS. */
class ReadsFromHdfsTest {

    @TempDir
    static Path tmp;

    private static MiniDFSCluster cluster;
    private static Configuration conf;
    private static String hdfsRoot;

    @BeforeAll
    static void startHdfsWithDatasets() throws Exception {
        conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, tmp.resolve("hdfs").toString());
        // Closing an HDFS file polls for block completion from a 400 ms delay; 300 small files took 80 s so.
        conf.setInt("dfs.client.block.write.locateFollowingBlock.initial.delay.ms", 5);
        // The delay doubles per retry: the default 5 retries give up after 155 ms, too soon on a loaded machine.
        conf.setInt("dfs.client.block.write.locateFollowingBlock.retries", 12);
        cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        cluster.waitActive();
        FileSystem fs = cluster.getFileSystem();
        Path local = tmp.resolve("local");
        DatasetFixtures.cub(local);
        DatasetFixtures.sop(local);
        fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(local.toUri()),
                new org.apache.hadoop.fs.Path("/data"));
        hdfsRoot = fs.getUri() + "/data";
    }

    @AfterAll
    static void stopHdfs() {
        if (cluster != null) {
            cluster.shutdown();
        }
    }

    @Test
    void cubListsAndDecodesFromHdfs() {
        DatasetListing listing = Datasets.reader("cub").list(hdfsRoot, DatasetOptions.defaults(), conf);
        assertEquals(134, listing.imageCount(Role.TRAIN));
        assertEquals(133, listing.imageCount(Role.EVAL));
        assertTrue(listing.samples().get(0).uri().startsWith("hdfs://"), listing.samples().get(0).uri());
        Sample first = listing.samples(Role.TRAIN).get(0);
        RgbImage image = new SampleLoader(conf).load(first);
        String local = first.uri().substring(first.uri().indexOf("/data/") + "/data/".length());
        RgbImage truth = new SampleLoader(new Configuration()).load(new Sample(tmp.resolve("local").resolve(local)
                .toUri().toString(), first.label(), first.role()));
        assertArrayEquals(truth.pixels(), image.pixels(), "the same pixels through HDFS as from the local file");
    }

    @Test
    void sopChecksListedImagesAgainstHdfsFolderListings() throws Exception {
        assertEquals(22, Datasets.reader("SOP").list(hdfsRoot, DatasetOptions.defaults(), conf).samples().size());
        cluster.getFileSystem().delete(new org.apache.hadoop.fs.Path(
                "/data/Stanford_Online_Products/bicycle_final/111085122873_1.JPG"), false);
        DatasetException e = assertThrows(DatasetException.class,
                () -> Datasets.reader("SOP").list(hdfsRoot, DatasetOptions.defaults(), conf));
        assertTrue(e.getMessage().contains("hdfs://") && e.getMessage().contains("111085122873_1.JPG (Ebay_train.txt"),
                e.getMessage());
    }
}
