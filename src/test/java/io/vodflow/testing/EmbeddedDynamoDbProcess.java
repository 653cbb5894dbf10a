package io.vodflow.testing;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * The embedded DynamoDB as a process (the Node process the local cloud starts on its port): tests stop
 * it, to make the database hang as an overloaded or partitioned one does, and let it go on.
 */
public final class EmbeddedDynamoDbProcess {

    private final ProcessHandle process;

    private EmbeddedDynamoDbProcess(ProcessHandle process) {
        this.process = process;
    }

    /** The one this JVM's local cloud started on {@code port}. */
    public static EmbeddedDynamoDbProcess onPort(int port) {
        String wanted = Integer.toString(port);
        return new EmbeddedDynamoDbProcess(ProcessHandle.current()
                .descendants()
                .filter(process -> process.info()
                        .arguments()
                        .map(Arrays::asList)
                        .filter(arguments -> arguments.stream().anyMatch(a -> a.endsWith("launcher.js"))
                                && arguments.contains(wanted))
                        .isPresent())
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("No embedded DynamoDB on port " + wanted)));
    }

    /** Stops it (SIGSTOP): every request waits, unanswered, until {@link #resume}. */
    public void stop() {
        signal("STOP");
    }

    public void resume() {
        signal("CONT");
    }

    private void signal(String signal) {
        try {
            Process kill = new ProcessBuilder(List.of("kill", "-" + signal, Long.toString(process.pid())))
                    .inheritIO()
                    .start();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
