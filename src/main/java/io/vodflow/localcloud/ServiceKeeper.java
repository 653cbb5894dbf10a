package io.vodflow.localcloud;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * A thread that owns the running embedded services and closes them, in reverse order, when it is
 * interrupted or the JVM exits.
 *
 * <p>A live reload in dev mode replaces the application's class loader, so no field of ours survives
 * it; a thread does. The next generation finds the keeper by its name, which carries a fingerprint of
 * the settings the services were started with, and only talks to it through {@link Thread}.
 */
final class ServiceKeeper extends Thread {

    private static final Logger LOG = Logger.getLogger(ServiceKeeper.class);
    private static final String NAME_PREFIX = "vodflow-localcloud-";

    private final Supplier<List<AutoCloseable>> starter;
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private final Thread shutdownHook = new Thread(this::stopQuietly, "vodflow-localcloud-shutdown");

    private ServiceKeeper(String fingerprint, Supplier<List<AutoCloseable>> starter) {
        super(name(fingerprint));
        this.starter = starter;
        setDaemon(true);
    }

    /** Starts the services on a new keeper thread and waits until they are up. */
    static ServiceKeeper start(String fingerprint, Supplier<List<AutoCloseable>> starter) {
        ServiceKeeper keeper = new ServiceKeeper(fingerprint, starter);
        keeper.start();
        try {
            keeper.started.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
        Runtime.getRuntime().addShutdownHook(keeper.shutdownHook);
        return keeper;
    }

    /**
     * Whether services started with the same settings are still running; stops any started with
     * other settings, so that the caller starts fresh ones.
     */
    static boolean reuse(String fingerprint) {
        boolean found = false;
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith(NAME_PREFIX) && thread.isAlive()) {
                if (thread.getName().equals(name(fingerprint))) {
                    found = true;
                } else {
                    stop(thread);
                }
            }
        }
        return found;
    }

    private static String name(String fingerprint) {
        return NAME_PREFIX + Integer.toHexString(fingerprint.hashCode());
    }

    @Override
    public void run() {
        List<AutoCloseable> services;
        try {
            services = starter.get();
            started.complete(null);
        } catch (RuntimeException | Error e) {
            started.completeExceptionally(e);
            return;
        }
        try {
            // Parked until stop() interrupts.
            new CompletableFuture<Void>().get();
        } catch (Exception interrupted) {
            closeAll(services);
        }
    }

    void shutdown() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // The hook is running or about to; stopping twice is harmless.
        }
        stop(this);
    }

    private void stopQuietly() {
        if (isAlive()) {
            stop(this);
        }
    }

    private static void stop(Thread keeper) {
        keeper.interrupt();
        try {
            keeper.join(20_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Closes services in reverse order of start, logging and going on past failures. */
    static void closeAll(List<AutoCloseable> services) {
        for (int i = services.size() - 1; i >= 0; i--) {
            try {
                services.get(i).close();
            } catch (Exception e) {
                LOG.warnf(e, "Could not stop %s", services.get(i).getClass().getSimpleName());
            }
        }
    }
}
