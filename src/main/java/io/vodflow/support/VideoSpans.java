package io.vodflow.support;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Spans of one video's way through the pipeline, all in the trace of the request that created it.
 * The hops between them cannot carry a trace context of their own (S3 sends the upload notification,
 * EventBridge MediaConvert's events), so the context travels as a W3C {@code traceparent} string: in
 * the video's record, in the job's userMetadata (which both engines echo in every event), and as the
 * SQS message attribute {@value #TRACEPARENT} on the local engine's job messages. When tracing is off (the default, see
 * {@code quarkus.otel.sdk.disabled}) no span is made here.
 */
@ApplicationScoped
public class VideoSpans {

    /** The W3C name of a trace context, used for the message attribute and the userMetadata entry. */
    public static final String TRACEPARENT = "traceparent";

    static final AttributeKey<String> VIDEO_ID = AttributeKey.stringKey("vodflow.video.id");

    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();

    /** Reads the one traceparent string as a carrier. */
    private static final TextMapGetter<String> TRACEPARENT_ONLY = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String carrier) {
            return List.of(TRACEPARENT);
        }

        @Override
        public String get(String carrier, String key) {
            return TRACEPARENT.equals(key) ? carrier : null;
        }
    };

    private final Tracer tracer;
    private final boolean off;

    /**
     * @param off with the SDK disabled, Quarkus still hands out a tracer that makes (unexported) spans:
     *     they would only cost time and put trace ids of traces nobody sees in the log lines
     */
    VideoSpans(Tracer tracer, @ConfigProperty(name = "quarkus.otel.sdk.disabled") boolean off) {
        this.tracer = tracer;
        this.off = off;
    }

    /** The traceparent of the span current on this thread, or null when nothing is traced. */
    public static String currentTraceparent() {
        if (!Span.current().getSpanContext().isValid()) {
            return null;
        }
        Map<String, String> carrier = new HashMap<>(2);
        W3C.inject(Context.current(), carrier, Map::put);
        return carrier.get(TRACEPARENT);
    }

    /**
     * Runs {@code work} in a span about the video, in the trace {@code traceparent} names (a trace of
     * its own when null); the span ends when the returned {@link Uni} does.
     */
    public <T> Uni<T> around(String name, String videoId, String traceparent, Supplier<Uni<T>> work) {
        if (off) {
            return Uni.createFrom().deferred(work::get);
        }
        return Uni.createFrom().deferred(() -> {
            Span span = start(name, videoId, traceparent);
            Uni<T> started;
            try (Scope ignored = span.makeCurrent()) {
                started = work.get();
            } catch (RuntimeException e) {
                end(span, e);
                throw e;
            }
            return started.onTermination().invoke((item, failure, cancelled) -> end(span, failure));
        });
    }

    /** Runs {@code work} on this thread in a span about the video, as {@link #around} does. */
    public void during(String name, String videoId, String traceparent, Runnable work) {
        if (off) {
            work.run();
            return;
        }
        Span span = start(name, videoId, traceparent);
        try (Scope ignored = span.makeCurrent()) {
            work.run();
            end(span, null);
        } catch (RuntimeException e) {
            end(span, e);
            throw e;
        }
    }

    private Span start(String name, String videoId, String traceparent) {
        Context parent =
                traceparent == null ? Context.root() : W3C.extract(Context.root(), traceparent, TRACEPARENT_ONLY);
        return tracer.spanBuilder(name)
                .setParent(parent)
                .setSpanKind(SpanKind.CONSUMER)
                .setAttribute(VIDEO_ID, videoId)
                .startSpan();
    }

    private static void end(Span span, Throwable failure) {
        if (failure != null) {
            span.recordException(failure);
            span.setStatus(StatusCode.ERROR, failure.getMessage());
        }
        span.end();
    }
}
