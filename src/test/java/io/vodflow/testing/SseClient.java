package io.vodflow.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;

/**
 * A real Server-Sent Events client over {@link HttpClient}: it parses the stream as a browser's
 * EventSource does (id, event, data, comments, blank line dispatch) and records what arrived.
 */
public final class SseClient implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One dispatched event. */
    public record Event(String id, String name, JsonNode data) {}

    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final List<String> comments = new CopyOnWriteArrayList<>();
    private final CompletableFuture<HttpResponse<Flow.Publisher<List<ByteBuffer>>>> response;
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private volatile Flow.Subscription subscription;

    private SseClient(HttpClient http, URI uri, String lastEventId) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .header("Accept", "text/event-stream")
                .header("Authorization", "Bearer " + Users.token(Users.USER));
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        // The response completes with the headers; the body is parsed as it streams in.
        response = http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofPublisher())
                .thenApply(started -> {
                    started.body().subscribe(HttpResponse.BodySubscribers.fromLineSubscriber(new Lines()));
                    return started;
                });
        response.whenComplete((ignored, failure) -> {
            if (failure != null) {
                ended.completeExceptionally(failure);
            }
        });
    }

    public static SseClient connect(HttpClient http, URI uri) {
        return new SseClient(http, uri, null);
    }

    public static SseClient connect(HttpClient http, URI uri, String lastEventId) {
        return new SseClient(http, uri, lastEventId);
    }

    public List<Event> events() {
        return List.copyOf(events);
    }

    public List<String> comments() {
        return List.copyOf(comments);
    }

    /** Status code and headers, once the response started. */
    public HttpResponse<?> response() {
        return response.join();
    }

    /** Completes when the server ended the stream. */
    public CompletableFuture<Void> ended() {
        return ended;
    }

    @Override
    public void close() {
        Flow.Subscription current = subscription;
        if (current != null) {
            current.cancel();
        }
        response.cancel(true);
    }

    private final class Lines implements Flow.Subscriber<String> {
        private String id;
        private String name;
        private final StringBuilder data = new StringBuilder();

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            SseClient.this.subscription = subscription;
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(String line) {
            if (line.isEmpty()) {
                dispatch();
            } else if (line.startsWith(":")) {
                comments.add(line.substring(1).strip());
            } else {
                int colon = line.indexOf(':');
                String field = colon < 0 ? line : line.substring(0, colon);
                String value = colon < 0 ? "" : line.substring(colon + 1).replaceFirst("^ ", "");
                switch (field) {
                    case "id" -> id = value;
                    case "event" -> name = value;
                    case "data" -> data.append(data.length() == 0 ? "" : "\n").append(value);
                    default -> {
                        // retry and unknown fields are ignored, as EventSource does.
                    }
                }
            }
        }

        private void dispatch() {
            if (data.length() > 0) {
                try {
                    events.add(new Event(id, name == null ? "message" : name, JSON.readTree(data.toString())));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            name = null;
            data.setLength(0);
        }

        @Override
        public void onError(Throwable throwable) {
            ended.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            dispatch();
            ended.complete(null);
        }
    }
}
