package dev.proxyanchor.spark.runtime;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.config.Node;
import org.apache.logging.log4j.core.config.plugins.Plugin;
import org.apache.logging.log4j.core.config.plugins.PluginAttribute;
import org.apache.logging.log4j.core.config.plugins.PluginFactory;
import org.apache.logging.log4j.core.filter.AbstractFilter;

/**
 * A log4j2 filter matching the log lines Spark writes about a task that failed on a {@link UserError}: the
 * executor's {@code Exception in task} (the error attached), the scheduler's {@code Lost task} (the error's stack
 * trace in the message text) and its {@code Task N in stage S failed M times; aborting job} that follows. The job
 * reports such an error itself, once, as {@code error: <message>}, so {@code log4j2.properties} keeps these lines
 * off the console ({@code onMatch = DENY}); lines about any other exception do not match and keep their traces.
 */
@Plugin(name = "UserErrorTraces", category = Node.CATEGORY, elementType = Filter.ELEMENT_TYPE, printObject = true)
public final class UserErrorTraceFilter extends AbstractFilter {

    /** An exception's {@code toString()} in a message: a class name of ours followed by its message or the end. */
    private static final Pattern OUR_EXCEPTION = Pattern.compile("(dev\\.proxyanchor\\.[\\w.$]+)(?=: |\\R|$)");
    private static final Pattern FAILED_TASK =
            Pattern.compile("(?:Lost task|Exception in task) (\\d+)\\.\\d+ in stage (\\S+)");
    private static final Pattern ABORTING =
            Pattern.compile("^Task (\\d+) in stage (\\S+) failed \\d+ times; aborting job");
    private static final int REMEMBERED_TASKS = 64;
    private static final Map<String, Boolean> USER_ERROR_NAMES = new ConcurrentHashMap<>();
    /** "task in stage" of the latest tasks that failed on a user error, for the scheduler's abort line. */
    private static final Map<String, Boolean> FAILED_ON_USER_ERROR = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>() {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > REMEMBERED_TASKS;
                }
            });

    private UserErrorTraceFilter(Result onMatch, Result onMismatch) {
        super(onMatch, onMismatch);
    }

    @PluginFactory
    public static UserErrorTraceFilter createFilter(@PluginAttribute("onMatch") Result onMatch,
            @PluginAttribute("onMismatch") Result onMismatch) {
        return new UserErrorTraceFilter(onMatch == null ? Result.DENY : onMatch,
                onMismatch == null ? Result.NEUTRAL : onMismatch);
    }

    @Override
    public Result filter(LogEvent event) {
        return isAboutUserError(event.getThrown(), event.getMessage().getFormattedMessage()) ? onMatch : onMismatch;
    }

    static boolean isAboutUserError(Throwable thrown, String message) {
        if (message != null) {
            Matcher aborting = ABORTING.matcher(message);
            if (aborting.find()) {
                return FAILED_ON_USER_ERROR.containsKey(aborting.group(1) + " in stage " + aborting.group(2));
            }
        }
        boolean userError = namesAUserError(thrown, message);
        Matcher task = FAILED_TASK.matcher(message == null ? "" : message);
        if (userError && task.find()) {
            FAILED_ON_USER_ERROR.put(task.group(1) + " in stage " + task.group(2), true);
        }
        return userError;
    }

    private static boolean namesAUserError(Throwable thrown, String message) {
        if (thrown != null) {
            return UserError.find(thrown).isPresent();
        }
        if (message == null || !message.contains("dev.proxyanchor.")) {
            return false;
        }
        Matcher names = OUR_EXCEPTION.matcher(message);
        while (names.find()) {
            if (USER_ERROR_NAMES.computeIfAbsent(names.group(1), UserErrorTraceFilter::isUserErrorClass)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isUserErrorClass(String className) {
        try {
            return UserError.isUserError(Class.forName(className, false, UserErrorTraceFilter.class.getClassLoader()));
        } catch (ClassNotFoundException | LinkageError notAClass) {
            return false;
        }
    }
}
