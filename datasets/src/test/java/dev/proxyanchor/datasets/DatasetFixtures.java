package dev.proxyanchor.datasets;

import dev.proxyanchor.datasets.mat.MatArray;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPOutputStream;

/**
 * Small copies of each benchmark in its exact official on-disk layout, written into a test's temporary folder, with
 * the counts a reader must find in them.
 */
public final class DatasetFixtures {

    /** What a fixture holds: its data root and, per role, the number of images and of classes. */
    public record Fixture(String root, int trainClasses, EvalMode evalMode, Map<Role, int[]> imagesAndClasses) {}

    private DatasetFixtures() {}

    /** The fixture of a registered dataset name. */
    public static Fixture of(String dataset, Path dir) {
        return switch (dataset) {
            case "cub" -> cub(dir);
            case "cars" -> cars(dir);
            case "SOP" -> sop(dir);
            case "Inshop" -> inShop(dir);
            case "fmnist" -> fashionMnist(dir);
            case "folder" -> classFolders(dir);
            default -> throw new IllegalArgumentException("no fixture for " + dataset);
        };
    }

    /** The class folder name of CUB class {@code index} (0-based), as in the real dataset: {@code 001.Name}. */
    public static String cubClassFolder(int index) {
        return String.format("%03d.Bird_%d", index + 1, index + 1);
    }

    /**
     * CUB_200_2011/images/ with 200 class folders; every third class has two images, the others one; a macOS
     * {@code ._} file sits in the first class folder.
     */
    public static Fixture cub(Path dir) {
        Path images = dir.resolve("CUB_200_2011/images");
        int[] perRole = new int[2];
        for (int c = 0; c < 200; c++) {
            int count = c % 3 == 0 ? 2 : 1;
            for (int i = 0; i < count; i++) {
                TestImages.writeJpeg(images.resolve(cubClassFolder(c)).resolve("Bird_" + (c + 1) + "_" + i + ".jpg"),
                        c * 10L + i);
            }
            perRole[c < 100 ? 0 : 1] += count;
        }
        TestImages.write(images.resolve(cubClassFolder(0)).resolve("._Bird_1_0.jpg"), new byte[] {0, 5, 22, 7});
        return new Fixture(dir.toString(), 100, EvalMode.SELF,
                Map.of(Role.TRAIN, new int[] {perRole[0], 100}, Role.EVAL, new int[] {perRole[1], 100}));
    }

    /** The annotations of {@link #cars}: image i (0-based) has class {@code i % 196 + 1}. */
    public static MatArray.Struct carsAnnotations(int images) {
        List<String> fields = List.of("relative_im_path", "bbox_x1", "bbox_y1", "bbox_x2", "bbox_y2", "class", "test");
        List<Map<String, MatArray>> elements = new ArrayList<>();
        for (int i = 0; i < images; i++) {
            Map<String, MatArray> element = new LinkedHashMap<>();
            element.put("relative_im_path", chars(String.format("car_ims/%06d.jpg", i + 1)));
            element.put("bbox_x1", number(3));
            element.put("bbox_y1", number(4));
            element.put("bbox_x2", number(300 + i));
            element.put("bbox_y2", number(20.5));
            element.put("class", number(i % 196 + 1));
            element.put("test", number(i % 2));
            elements.add(element);
        }
        return new MatArray.Struct(new int[] {1, images}, fields, elements);
    }

    public static byte[] carsAnnotationsFile(MatArray.Struct annotations) {
        List<MatArray> names = new ArrayList<>();
        for (int c = 1; c <= 196; c++) {
            names.add(chars("Car Model " + c));
        }
        Map<String, MatArray> variables = new LinkedHashMap<>();
        variables.put("annotations", annotations);
        variables.put("class_names", new MatArray.Cell(new int[] {1, 196}, names));
        return MatFileWriter.write(variables, Set.of("annotations"));
    }

    /** cars196/cars_annos.mat (the annotations compressed, as MATLAB writes them) and 206 images in car_ims/. */
    public static Fixture cars(Path dir) {
        int images = 206;
        Path cars = dir.resolve("cars196");
        TestImages.write(cars.resolve("cars_annos.mat"), carsAnnotationsFile(carsAnnotations(images)));
        int train = 0;
        for (int i = 0; i < images; i++) {
            TestImages.writeJpeg(cars.resolve(String.format("car_ims/%06d.jpg", i + 1)), 5000L + i);
            train += i % 196 < 98 ? 1 : 0;
        }
        return new Fixture(dir.toString(), 98, EvalMode.SELF,
                Map.of(Role.TRAIN, new int[] {train, 98}, Role.EVAL, new int[] {images - train, 98}));
    }

    /**
     * Stanford_Online_Products/ with Ebay_train.txt (classes 1-5, two images each) and Ebay_test.txt (classes
     * 11319-11322, three images each), header lines and paths as in the real files.
     */
    public static Fixture sop(Path dir) {
        Path sop = dir.resolve("Stanford_Online_Products");
        StringBuilder train = new StringBuilder("image_id class_id super_class_id path\n");
        int id = 1;
        for (int c = 1; c <= 5; c++) {
            for (int i = 0; i < 2; i++) {
                String path = "bicycle_final/" + (111085122871L + c) + "_" + i + ".JPG";
                train.append(id++).append(' ').append(c).append(" 1 ").append(path).append('\n');
                TestImages.writeJpeg(sop.resolve(path), id);
            }
        }
        StringBuilder test = new StringBuilder("image_id class_id super_class_id path\n");
        for (int c = 11319; c <= 11322; c++) {
            for (int i = 0; i < 3; i++) {
                String path = "chair_final/" + (221085122871L + c) + "_" + i + ".JPG";
                test.append(id++).append(' ').append(c).append(" 5 ").append(path).append('\n');
                TestImages.writeJpeg(sop.resolve(path), id);
            }
        }
        TestImages.writeText(sop.resolve("Ebay_train.txt"), train.toString());
        TestImages.writeText(sop.resolve("Ebay_test.txt"), test.toString());
        return new Fixture(dir.toString(), 5, EvalMode.SELF,
                Map.of(Role.TRAIN, new int[] {10, 5}, Role.EVAL, new int[] {12, 4}));
    }

    /** One row of list_eval_partition.txt and its image. */
    public record InShopRow(String image, String item, String status) {}

    /**
     * The rows of {@link #inShop}: train items 10, 2, 7 (out of numeric order on purpose), query items 3, 12, 100 and
     * gallery items 3, 12, 50, 100.
     */
    public static List<InShopRow> inShopRows() {
        List<InShopRow> rows = new ArrayList<>();
        int[][] items = {{10, 2, 7}, {3, 12, 100}, {3, 12, 50, 100, 100}};
        String[] statuses = {"train", "query", "gallery"};
        for (int s = 0; s < 3; s++) {
            for (int k = 0; k < items[s].length; k++) {
                String item = String.format("id_%08d", items[s][k]);
                String kind = s == 0 ? "MEN/Denim" : "WOMEN/Dresses";
                rows.add(new InShopRow("img/" + kind + "/" + item + "/0" + (k + 1) + "_" + (s + 1) + "_front.jpg",
                        item, statuses[s]));
            }
        }
        rows.add(new InShopRow("img/MEN/Denim/id_00000002/05_2_side.jpg", "id_00000002", "train"));
        return rows;
    }

    public static String inShopPartition(List<InShopRow> rows) {
        StringBuilder text = new StringBuilder().append(rows.size()).append('\n');
        text.append("image_name item_id evaluation_status\n");
        for (InShopRow row : rows) {
            text.append(String.format("%-70s %s %s%n", row.image(), row.item(), row.status()));
        }
        return text.toString();
    }

    /** Inshop_Clothes/Eval/list_eval_partition.txt and the images under Inshop_Clothes/img/. */
    public static Fixture inShop(Path dir) {
        Path inShop = dir.resolve("Inshop_Clothes");
        List<InShopRow> rows = inShopRows();
        TestImages.writeText(inShop.resolve("Eval/list_eval_partition.txt"), inShopPartition(rows));
        for (int i = 0; i < rows.size(); i++) {
            TestImages.writeJpeg(inShop.resolve(rows.get(i).image()), 700L + i);
        }
        return new Fixture(dir.toString(), 3, EvalMode.QUERY_GALLERY, Map.of(Role.TRAIN, new int[] {4, 3},
                Role.QUERY, new int[] {3, 3}, Role.GALLERY, new int[] {5, 4}));
    }

    /** The four gzipped idx files: 40 training and 20 test images, labels {@code i % 10}, pixels as below. */
    public static Fixture fashionMnist(Path dir) {
        writeIdxPair(dir, "train", 40);
        writeIdxPair(dir, "t10k", 20);
        return new Fixture(dir.toString(), 5, EvalMode.SELF,
                Map.of(Role.TRAIN, new int[] {20, 5}, Role.EVAL, new int[] {10, 5}));
    }

    /** The pixel value the fixture's idx files hold. */
    public static int fashionMnistPixel(int image, int pixel) {
        return (image + pixel) % 256;
    }

    private static void writeIdxPair(Path dir, String split, int count) {
        byte[] pixels = new byte[count * 28 * 28];
        byte[] labels = new byte[count];
        for (int i = 0; i < count; i++) {
            labels[i] = (byte) (i % 10);
            for (int p = 0; p < 28 * 28; p++) {
                pixels[i * 28 * 28 + p] = (byte) fashionMnistPixel(i, p);
            }
        }
        TestImages.write(dir.resolve(split + "-images-idx3-ubyte.gz"), idx(0x803, new int[] {count, 28, 28}, pixels));
        TestImages.write(dir.resolve(split + "-labels-idx1-ubyte.gz"), idx(0x801, new int[] {count}, labels));
    }

    /** A gzipped idx file. */
    public static byte[] idx(int magic, int[] dims, byte[] data) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(bytes))) {
            out.writeInt(magic);
            for (int d : dims) {
                out.writeInt(d);
            }
            out.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** train/{ant,cat,dog} and eval/{bee,fox}, two images per class (three for dog). */
    public static Fixture classFolders(Path dir) {
        int seed = 0;
        for (String cls : List.of("cat", "dog", "ant")) {
            for (int i = 0; i < (cls.equals("dog") ? 3 : 2); i++) {
                TestImages.writeJpeg(dir.resolve("train").resolve(cls).resolve(i + ".jpg"), seed++);
            }
        }
        for (String cls : List.of("fox", "bee")) {
            for (int i = 0; i < 2; i++) {
                TestImages.writeJpeg(dir.resolve("eval").resolve(cls).resolve(i + ".jpeg"), seed++);
            }
        }
        return new Fixture(dir.toString(), 3, EvalMode.SELF,
                Map.of(Role.TRAIN, new int[] {7, 3}, Role.EVAL, new int[] {4, 2}));
    }

    private static MatArray chars(String text) {
        return new MatArray.Chars(new int[] {1, text.length()}, text);
    }

    private static MatArray number(double value) {
        return new MatArray.Numeric(new int[] {1, 1}, new double[] {value});
    }
}
