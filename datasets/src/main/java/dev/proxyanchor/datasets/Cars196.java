package dev.proxyanchor.datasets;

import dev.proxyanchor.datasets.mat.MatArray;
import dev.proxyanchor.datasets.mat.MatFileReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Cars-196: {@code cars196/cars_annos.mat}, a MATLAB struct array {@code annotations} whose fields
 * {@code relative_im_path} (e.g. {@code car_ims/000001.jpg}) and {@code class} (1-196) name each image. As in the
 * official code, label = class - 1, every image is used (the file's own {@code test} flag is ignored), classes 0-97
 * train and 98-195 evaluate.
 */
public final class Cars196 implements DatasetReader {

    static final String ANNOTATIONS_FILE = "cars_annos.mat";
    static final int CLASSES = 196;
    static final int TRAIN_CLASSES = 98;

    private static final String PATH_FIELD = "relative_im_path";
    private static final String CLASS_FIELD = "class";

    @Override
    public String name() {
        return "cars";
    }

    @Override
    public DatasetListing list(String root, DatasetOptions options, Configuration conf) {
        DatasetRoot dataset = DatasetRoot.locate(root, "cars196", ANNOTATIONS_FILE, "Cars-196", conf);
        Path file = dataset.resolve(ANNOTATIONS_FILE);
        Map<String, MatArray> variables = MatFileReader.read(
                dataset.readBytes(ANNOTATIONS_FILE, "the Cars-196 annotations"), file.toString());
        MatArray.Struct annotations = annotationsOf(variables, file);

        ListedImages listed = new ListedImages();
        List<Sample> samples = new ArrayList<>();
        int[] imagesPerClass = new int[CLASSES];
        for (int i = 0; i < annotations.elements().size(); i++) {
            Map<String, MatArray> annotation = annotations.elements().get(i);
            String where = ANNOTATIONS_FILE + " annotation " + (i + 1);
            String relativePath = imagePath(annotation.get(PATH_FIELD), file, i);
            int label = classOf(annotation.get(CLASS_FIELD), file, i, relativePath) - 1;
            imagesPerClass[label]++;
            Path image = dataset.resolve(relativePath);
            listed.add(image, where);
            samples.add(new Sample(image.toString(), label, label < TRAIN_CLASSES ? Role.TRAIN : Role.EVAL));
        }
        requireEveryClass(imagesPerClass, file);
        listed.requireAllExist(dataset.fs());
        return new DatasetListing(name(), samples, EvalMode.SELF, new int[] {1, 2, 4, 8, 16, 32});
    }

    private static MatArray.Struct annotationsOf(Map<String, MatArray> variables, Path file) {
        MatArray value = variables.get("annotations");
        if (!(value instanceof MatArray.Struct annotations)) {
            throw new DatasetException(file + " has no struct array 'annotations' (found variables "
                    + variables.keySet() + "); expected the Cars-196 cars_annos.mat from the dataset's site.");
        }
        for (String field : List.of(PATH_FIELD, CLASS_FIELD)) {
            if (!annotations.fields().contains(field)) {
                throw new DatasetException(file + ": 'annotations' has no field '" + field + "' (fields "
                        + annotations.fields() + "); expected relative_im_path, bbox_x1, bbox_y1, bbox_x2, bbox_y2, "
                        + "class, test.");
            }
        }
        return annotations;
    }

    private static String imagePath(MatArray value, Path file, int index) {
        if (value instanceof MatArray.Chars chars && !chars.text().isBlank()) {
            return chars.text().strip();
        }
        throw new DatasetException(file + " annotation " + (index + 1) + ": relative_im_path must be a string like "
                + "car_ims/000001.jpg, found a " + value.describe() + ".");
    }

    private static int classOf(MatArray value, Path file, int index, String image) {
        if (value instanceof MatArray.Numeric number && number.values().length == 1) {
            double cls = number.values()[0];
            if (cls == Math.rint(cls) && cls >= 1 && cls <= CLASSES) {
                return (int) cls;
            }
            throw new DatasetException(file + " annotation " + (index + 1) + " (" + image + "): class " + cls
                    + " is outside 1.." + CLASSES + ".");
        }
        throw new DatasetException(file + " annotation " + (index + 1) + " (" + image + "): class must be one "
                + "number, found a " + value.describe() + ".");
    }

    private static void requireEveryClass(int[] imagesPerClass, Path file) {
        for (int label = 0; label < CLASSES; label++) {
            if (imagesPerClass[label] == 0) {
                throw new DatasetException(file + ": class " + (label + 1) + " has no images; Cars-196 needs images "
                        + "of every class 1.." + CLASSES + ".");
            }
        }
    }
}
