package dev.proxyanchor.datasets;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A sample stored inside an idx images file, addressed as the file's URI with the image index as fragment
 * ({@code .../t10k-images-idx3-ubyte.gz#1234}). Only names of idx image files qualify, so an ordinary image
 * whose name contains {@code #} is never mistaken for one.
 *
 * @param fileUri the idx images file
 * @param index the image's position in it, from 0
 */
public record IdxEntry(String fileUri, int index) {

    private static final Pattern URI = Pattern.compile("(.*-idx3-ubyte(?:\\.gz)?)#(\\d+)");

    /** The entry a sample URI names, or empty for an ordinary image file. */
    public static Optional<IdxEntry> parse(String uri) {
        Matcher m = URI.matcher(uri);
        return m.matches() ? Optional.of(new IdxEntry(m.group(1), Integer.parseInt(m.group(2)))) : Optional.empty();
    }

    public String uri() {
        return fileUri + "#" + index;
    }
}
