package dev.proxyanchor.datasets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * The walk torchvision's {@code ImageFolder} does: class folders sorted by name, and in each the image files (by
 * extension, sub-folders included) sorted by path. Hidden files are skipped: macOS leaves {@code ._name.jpg}
 * resource forks next to images (CUB ships some), which are not images.
 */
final class ImageFolders {

    /** torchvision's IMG_EXTENSIONS. */
    static final Set<String> IMAGE_EXTENSIONS =
            Set.of("jpg", "jpeg", "png", "ppm", "bmp", "pgm", "tif", "tiff", "webp");

    private ImageFolders() {}

    /** The class folders of {@code dir}, sorted by name; fails when there are none. */
    static List<Path> classFolders(FileSystem fs, Path dir) {
        try {
            if (!fs.exists(dir)) {
                throw new DatasetException("missing folder " + dir + " (expected one folder per class inside).");
            }
            List<Path> folders = Arrays.stream(fs.listStatus(dir))
                    .filter(FileStatus::isDirectory)
                    .map(FileStatus::getPath)
                    .filter(p -> !p.getName().startsWith("."))
                    .sorted(Comparator.comparing(Path::getName))
                    .toList();
            if (folders.isEmpty()) {
                throw new DatasetException("folder " + dir + " has no class folders; expected one folder per class "
                        + "holding that class's images.");
            }
            return folders;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    /** The image files of one class folder, sorted by path; fails when the class has none. */
    static List<Path> imagesOf(FileSystem fs, Path classFolder) {
        List<Path> images = new ArrayList<>();
        try {
            RemoteIterator<LocatedFileStatus> files = fs.listFiles(classFolder, true);
            while (files.hasNext()) {
                Path file = files.next().getPath();
                if (isImageName(file.getName())) {
                    images.add(file);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + classFolder, e);
        }
        if (images.isEmpty()) {
            throw new DatasetException("class folder " + classFolder + " has no images (expected files ending in "
                    + String.join(", ", IMAGE_EXTENSIONS.stream().sorted().toList()) + "); remove the folder or add "
                    + "its images.");
        }
        images.sort(Comparator.comparing(Path::toString));
        return images;
    }

    static boolean isImageName(String name) {
        int dot = name.lastIndexOf('.');
        return !name.startsWith(".") && dot > 0
                && IMAGE_EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }
}
