package dev.proxyanchor.spark.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;

/** A command line run through {@link Main#run} with its exit code and what it printed on stdout and stderr. */
record MainRun(int code, String out, String err) {

    static MainRun of(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true));
        System.setErr(new PrintStream(err, true));
        try {
            int code = Main.run(args);
            return new MainRun(code, out.toString(), err.toString());
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }
}
