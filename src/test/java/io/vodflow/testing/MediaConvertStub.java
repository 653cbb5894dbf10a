package io.vodflow.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * AWS Elemental MediaConvert at the HTTP level, the one cloud API that cannot run here. It records the
 * exact JSON the SDK sends, answers with scripted statuses (200, 400, 429, 500) or not at all,
 * deduplicates jobs by ClientRequestToken as MediaConvert does, and answers GetJob with the job as a
 * test ended it.
 */
public final class MediaConvertStub implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    /** A thread per request, so that a request left unanswered holds up no other. */
    private final ExecutorService threads = Executors.newCachedThreadPool();
    /** Released when the stub closes: the requests left unanswered end then. */
    private final CountDownLatch closing = new CountDownLatch(1);
    /** How many more requests of each method get no answer. */
    private final Map<String, AtomicInteger> stalls = new ConcurrentHashMap<>();
    /** While set, CreateJob calls wait for it before they are answered. */
    private volatile CountDownLatch held;

    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Deque<Integer> script = new ConcurrentLinkedDeque<>();
    private final Map<String, String> jobsByToken = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> jobsById = new ConcurrentHashMap<>();
    /** Token and job id of every job created, in order. */
    private final List<Map.Entry<String, String>> created = new CopyOnWriteArrayList<>();

    /** When each token was first seen. */
    private final Map<String, Instant> tokenSeen = new ConcurrentHashMap<>();

    private final AtomicInteger failuresAfterCreating = new AtomicInteger();
    private volatile Duration tokenWindow = Duration.ofDays(365);
    private final AtomicInteger jobSequence = new AtomicInteger();
    private volatile Integer always;
    /** Statuses that every GetJob ("GET") or CancelJob ("DELETE") call answers, by method. */
    private final Map<String, Integer> answers = new ConcurrentHashMap<>();

    /** One request as received. */
    public record Request(String method, String path, JsonNode body) {

        public String videoId() {
            return body == null
                    ? null
                    : body.path("userMetadata").path("videoId").asText(null);
        }
    }

    public MediaConvertStub() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/2017-08-29/jobs", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Every CreateJob call answers this status until {@link #answerNormally()}. */
    public void answerAlways(int status) {
        always = status;
    }

    public void answerNormally() {
        always = null;
        answers.clear();
        stalls.clear();
        release();
    }

    /** CreateJob calls from now on wait, until {@link #release()}, before they are answered as usual. */
    public void holdCreateJobs() {
        held = new CountDownLatch(1);
    }

    /** Answers the CreateJob calls {@link #holdCreateJobs()} held, and those after them at once. */
    public void release() {
        CountDownLatch waiting = held;
        held = null;
        if (waiting != null) {
            waiting.countDown();
        }
    }

    /**
     * Every GetJob ({@code "GET"}) or CancelJob ({@code "DELETE"}) call answers this status until
     * {@link #answerNormally()}, as a failing MediaConvert, or one this role may not call, would.
     */
    public void answerAlways(String method, int status) {
        answers.put(method, status);
    }

    /** GetJob no longer knows the job, as if it had been removed. */
    public void lose(String jobId) {
        jobsById.remove(jobId);
    }

    /** The next request with this HTTP method gets no answer at all, as from a MediaConvert that hangs. */
    public void stallNext(String method) {
        stalls.computeIfAbsent(method, key -> new AtomicInteger()).incrementAndGet();
    }

    /** The next CreateJob calls answer these statuses, in order; then 200 again. */
    public void answerNext(Integer... statuses) {
        script.addAll(List.of(statuses));
    }

    public List<Request> createJobRequests(String videoId) {
        return requests.stream()
                .filter(request -> request.method().equals("POST") && videoId.equals(request.videoId()))
                .toList();
    }

    /** Jobs actually created for a video. */
    public long jobsCreated(String videoId) {
        return createdJobIds(videoId).size();
    }

    /** The ids of the jobs created for a video, oldest first. */
    public List<String> createdJobIds(String videoId) {
        return created.stream()
                .filter(job -> job.getKey().startsWith(videoId + "-"))
                .map(Map.Entry::getValue)
                .toList();
    }

    /** How long CreateJob answers a repeated ClientRequestToken with the same job, as MediaConvert does. */
    public void tokenWindow(Duration window) {
        tokenWindow = window;
    }

    /** The next CreateJob calls create their job but answer 500, as if no answer reached vodflow. */
    public void failAfterCreating(int calls) {
        failuresAfterCreating.set(calls);
    }

    private synchronized String jobFor(String token) {
        Instant seen = tokenSeen.get(token);
        if (seen != null && seen.plus(tokenWindow).isAfter(Instant.now())) {
            return jobsByToken.get(token);
        }
        tokenSeen.put(token, Instant.now());
        String jobId = newJobId(token);
        jobsByToken.put(token, jobId);
        return jobId;
    }

    public List<Request> listJobsRequests() {
        return requests.stream()
                .filter(request ->
                        request.method().equals("GET") && request.path().endsWith("/jobs"))
                .toList();
    }

    private String newJobId(String token) {
        String jobId = "1700000000000-stub" + jobSequence.incrementAndGet();
        created.add(Map.entry(token, jobId));
        return jobId;
    }

    private static int sequence(String jobId) {
        return Integer.parseInt(jobId.substring(jobId.indexOf("stub") + 4));
    }

    /** ListJobs: every job, newest first, in one page. */
    private void listJobs(HttpExchange exchange) throws IOException {
        var jobs = JSON.createArrayNode();
        jobsById.values().stream()
                .sorted(Comparator.comparingInt(
                                (ObjectNode job) -> sequence(job.path("id").asText()))
                        .reversed())
                .forEach(jobs::add);
        respond(exchange, 200, JSON.createObjectNode().set("jobs", jobs).toString(), null);
    }

    public String jobId(String videoId, int attempt) {
        return jobsByToken.get(videoId + "-" + attempt);
    }

    public List<Request> cancelRequests() {
        return requests.stream()
                .filter(request -> request.method().equals("DELETE"))
                .toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] bytes = exchange.getRequestBody().readAllBytes();
            JsonNode body = bytes.length == 0 ? null : JSON.readTree(bytes);
            String method = exchange.getRequestMethod();
            requests.add(new Request(method, exchange.getRequestURI().getPath(), body));
            AtomicInteger stalled = stalls.get(method);
            if (stalled != null && stalled.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
                awaitClosing();
                return;
            }
            Integer answer = method.equals("POST") ? null : answers.get(method);
            if (answer != null) {
                respond(
                        exchange,
                        answer,
                        "{\"message\":\"Stubbed " + answer + "\"}",
                        answer == 403 ? "ForbiddenException" : "InternalServerErrorException");
                return;
            }
            if (method.equals("DELETE")) {
                respond(exchange, 202, "{}", null);
                return;
            }
            if (method.equals("GET") && exchange.getRequestURI().getPath().endsWith("/jobs")) {
                listJobs(exchange);
                return;
            }
            if (method.equals("GET")) {
                getJob(exchange);
                return;
            }
            awaitRelease();
            Integer status = always != null ? always : script.poll();
            if (status == null || status == 200) {
                String token = body.path("clientRequestToken").asText();
                String jobId = jobFor(token);
                ObjectNode job = jobsById.computeIfAbsent(jobId, id -> job(id, body));
                if (failuresAfterCreating.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
                    // The job exists, but the answer is lost: as if vodflow crashed after CreateJob.
                    respond(
                            exchange,
                            500,
                            "{\"message\":\"Stubbed 500 after creating\"}",
                            "InternalServerErrorException");
                    return;
                }
                respond(exchange, 201, JSON.createObjectNode().set("job", job).toString(), null);
            } else {
                String type =
                        switch (status) {
                            case 400 -> "BadRequestException";
                            case 429 -> "TooManyRequestsException";
                            default -> "InternalServerErrorException";
                        };
                String message = status == 400
                        ? "/outputGroups/0/outputs/0: Should have at most 4 elements"
                        : "Stubbed " + status;
                respond(exchange, status, "{\"message\":\"" + message + "\"}", type);
            }
        }
    }

    private static ObjectNode job(String jobId, JsonNode request) {
        ObjectNode job = JSON.createObjectNode();
        job.put("id", jobId);
        job.put("arn", "arn:aws:mediaconvert:us-east-1:111122223333:jobs/" + jobId);
        job.put("status", "SUBMITTED");
        job.put("createdAt", Instant.now().getEpochSecond());
        job.set("role", request.path("role"));
        job.set("settings", request.path("settings"));
        job.set("userMetadata", request.path("userMetadata"));
        return job;
    }

    private void getJob(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        ObjectNode job = jobsById.get(path.substring(path.lastIndexOf('/') + 1));
        if (job == null) {
            respond(exchange, 404, "{\"message\":\"Job not found\"}", "NotFoundException");
        } else {
            respond(exchange, 200, JSON.createObjectNode().set("job", job).toString(), null);
        }
    }

    /** Ends a job as MediaConvert would: COMPLETE, with a detail for every output the settings plan. */
    public void complete(String jobId) {
        ObjectNode job = jobsById.get(jobId);
        job.put("status", "COMPLETE");
        var groups = job.putArray("outputGroupDetails");
        for (JsonNode group : job.path("settings").path("outputGroups")) {
            var outputs = groups.addObject().putArray("outputDetails");
            for (JsonNode output : group.path("outputs")) {
                ObjectNode detail = outputs.addObject().put("durationInMs", 10_000);
                JsonNode video = output.path("videoDescription");
                if (video.has("height")) {
                    detail.putObject("videoDetails")
                            .put("widthInPx", video.path("width").asInt())
                            .put("heightInPx", video.path("height").asInt());
                }
            }
        }
    }

    /**
     * The variant playlists MediaConvert would write for the video's first job: {@code master} with
     * each HLS output's name modifier.
     */
    public List<String> hlsVariants(String videoId) {
        JsonNode hls = createJobRequests(videoId)
                .get(0)
                .body()
                .path("settings")
                .path("outputGroups")
                .get(0);
        List<String> variants = new ArrayList<>();
        hls.path("outputs")
                .forEach(output ->
                        variants.add("master" + output.path("nameModifier").asText() + ".m3u8"));
        return variants;
    }

    /** Ends a job in ERROR, with MediaConvert's code and message. */
    public void fail(String jobId, int code, String message) {
        jobsById.get(jobId).put("status", "ERROR").put("errorCode", code).put("errorMessage", message);
    }

    /** GetJob requests for this job, as the SDK sent them. */
    public List<Request> getJobRequests(String jobId) {
        return requests.stream()
                .filter(request ->
                        request.method().equals("GET") && request.path().endsWith("/jobs/" + jobId))
                .toList();
    }

    private static void respond(HttpExchange exchange, int status, String body, String errorType) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        if (errorType != null) {
            exchange.getResponseHeaders().add("x-amzn-ErrorType", errorType);
        }
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    /** Every request received so far, for failure messages. */
    public List<Request> requests() {
        return new ArrayList<>(requests);
    }

    private void awaitRelease() {
        CountDownLatch waiting = held;
        if (waiting != null) {
            try {
                waiting.await(5, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void awaitClosing() {
        try {
            closing.await(5, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
        threads.shutdownNow();
    }
}
