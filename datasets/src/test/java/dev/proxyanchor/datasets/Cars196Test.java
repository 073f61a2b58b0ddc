package dev.proxyanchor.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.datasets.mat.MatArray;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cars196Test {

    @TempDir
    Path tmp;

    private DatasetListing list() {
        return new Cars196().list(tmp.toString(), DatasetOptions.defaults(), new Configuration());
    }

    private void writeAnnotations(MatArray.Struct annotations) {
        TestImages.write(tmp.resolve("cars196/cars_annos.mat"), DatasetFixtures.carsAnnotationsFile(annotations));
    }

    @Test
    void labelIsClassMinusOneAllImagesUsedFirst98ClassesTrain() {
        DatasetFixtures.cars(tmp);
        DatasetListing listing = list();
        assertEquals(206, listing.samples().size(), "the file's test flag is ignored");
        assertEquals(98, listing.numTrainClasses());
        for (Sample s : listing.samples()) {
            int index = Integer.parseInt(s.uri().replaceAll(".*/car_ims/(\\d+)\\.jpg", "$1")) - 1;
            assertEquals(index % 196, s.label(), s.uri());
            assertEquals(s.label() < 98 ? Role.TRAIN : Role.EVAL, s.role(), s.uri());
        }
        assertEquals(98, listing.classCount(Role.EVAL));
    }

    @Test
    void missingAnnotationFileSaysWhereItLooked() {
        DatasetException e = assertThrows(DatasetException.class, this::list);
        assertTrue(e.getMessage().contains("cars196/cars_annos.mat"), e.getMessage());
    }

    @Test
    void annotationsWithoutClassFieldAreRejected() {
        DatasetFixtures.cars(tmp);
        MatArray.Struct full = DatasetFixtures.carsAnnotations(206);
        List<Map<String, MatArray>> elements = new ArrayList<>();
        for (Map<String, MatArray> element : full.elements()) {
            Map<String, MatArray> copy = new LinkedHashMap<>(element);
            copy.remove("class");
            elements.add(copy);
        }
        List<String> fields = full.fields().stream().filter(f -> !f.equals("class")).toList();
        writeAnnotations(new MatArray.Struct(full.dims(), fields, elements));
        DatasetException e = assertThrows(DatasetException.class, this::list);
        assertTrue(e.getMessage().contains("cars_annos.mat") && e.getMessage().contains("no field 'class'"),
                e.getMessage());
    }

    @Test
    void fileWithoutAnnotationsVariableIsRejected() {
        DatasetFixtures.cars(tmp);
        TestImages.write(tmp.resolve("cars196/cars_annos.mat"), MatFileWriter.write(
                Map.of("labels", new MatArray.Numeric(new int[] {1, 1}, new double[] {1})), Set.of()));
        DatasetException e = assertThrows(DatasetException.class, this::list);
        assertTrue(e.getMessage().contains("no struct array 'annotations'") && e.getMessage().contains("[labels]"),
                e.getMessage());
    }

    @Test
    void classOutsideTheRangeNamesTheAnnotation() {
        DatasetFixtures.cars(tmp);
        MatArray.Struct annotations = DatasetFixtures.carsAnnotations(206);
        annotations.elements().get(6).put("class", new MatArray.Numeric(new int[] {1, 1}, new double[] {197}));
        writeAnnotations(annotations);
        DatasetException e = assertThrows(DatasetException.class, this::list);
        assertTrue(e.getMessage().contains("annotation 7") && e.getMessage().contains("outside 1..196"),
                e.getMessage());
    }

    @Test
    void classWithoutImagesIsAnError() {
        DatasetFixtures.cars(tmp);
        writeAnnotations(DatasetFixtures.carsAnnotations(195));
        DatasetException e = assertThrows(DatasetException.class, this::list);
        assertTrue(e.getMessage().contains("class 196 has no images"), e.getMessage());
    }

    @Test
    void missingImageIsNamedWithItsAnnotation() throws IOException {
        DatasetFixtures.cars(tmp);
        Files.delete(tmp.resolve("cars196/car_ims/000042.jpg"));
        DatasetException e = assertThrows(DatasetException.class, this::list);
        assertTrue(e.getMessage().contains("1 of 206 listed images do not exist"), e.getMessage());
        assertTrue(e.getMessage().contains("car_ims/000042.jpg (cars_annos.mat annotation 42)"), e.getMessage());
    }

    @Test
    void notAMatFileIsRejected() {
        DatasetFixtures.cars(tmp);
        TestImages.writeText(tmp.resolve("cars196/cars_annos.mat"), "<html>404 Not Found</html>");
        DatasetException e = assertThrows(DatasetException.class, this::list);
        assertTrue(e.getMessage().contains("not a MATLAB level-5 MAT-file"), e.getMessage());
    }
}
