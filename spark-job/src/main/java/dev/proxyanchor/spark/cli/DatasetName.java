package dev.proxyanchor.spark.cli;

import dev.proxyanchor.datasets.Datasets;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Checks a {@code --dataset} value against the dataset registry while picocli parses the command line, so that an
 * unknown name is a usage error (exit code 2) like any other bad flag value. Case-insensitive; returns the name as
 * typed. Also the completion candidates of the flag, for help texts ({@code ${COMPLETION-CANDIDATES}}).
 */
final class DatasetName implements ITypeConverter<String>, Iterable<String> {

    @Override
    public String convert(String value) {
        boolean known = Datasets.names().stream().anyMatch(n -> n.toLowerCase(Locale.ROOT)
                .equals(value.toLowerCase(Locale.ROOT)));
        if (!known) {
            throw new TypeConversionException("unknown dataset '" + value + "'; known datasets: "
                    + String.join(", ", Datasets.names()));
        }
        return value;
    }

    @Override
    public java.util.Iterator<String> iterator() {
        return Datasets.names().iterator();
    }
}
