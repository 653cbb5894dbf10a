package io.vodflow.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every vodflow setting, under {@code vodflow.*}. Names of buckets, the table and the queues have no
 * defaults: {@code %dev} and {@code %test} set them for the embedded services, and in production a
 * missing one stops start-up with a message naming it.
 */
@ConfigMapping(prefix = "vodflow")
public interface VodflowConfig {

    /** Object storage: where uploads land and where renditions go. */
    Storage storage();

    /** The DynamoDB table holding one record per video. */
    Database database();

    /** The SQS queues between the stages of the pipeline. */
    Queues queues();

    /** AWS settings shared by the clients vodflow builds itself (SQS, MediaConvert). */
    Aws aws();

    /** Limits and URL lifetimes for client uploads. */
    Upload upload();

    /** How uploads are taken in, probed and turned into jobs. */
    Ingest ingest();

    /** The largest media vodflow transcodes; a source beyond any of them ends in ERROR unprocessed. */
    Ceilings ceilings();

    /** Which engine transcodes, and the job template it gets. */
    Transcoder transcoder();

    /** AWS Elemental MediaConvert, when {@code vodflow.transcoder.backend=mediaconvert}. */
    MediaConvert mediaconvert();

    /** The ffmpeg and ffprobe executables. */
    Ffmpeg ffmpeg();

    /**
     * The local transcoding engine, when {@code vodflow.transcoder.backend=local}, or for MediaConvert's
     * fast start.
     */
    Local local();

    /** A quick preview before MediaConvert's ladder, when {@code vodflow.transcoder.backend=mediaconvert}. */
    FastStart fastStart();

    /** Live progress for browsers. */
    Status status();

    /** Where players fetch the HLS renditions and thumbnails. */
    Playback playback();

    Auth auth();

    Quotas quotas();

    /** What vodflow measures beyond the pipeline's own events. */
    Metrics metrics();

    /** The reconciler, which finds videos whose messages were lost and finishes them. */
    Reconciler reconciler();

    /** Embedded S3, SQS and DynamoDB, used in dev mode and tests only. */
    LocalCloud localcloud();

    /**
     * A training run: vodflow starts, warms up as it would for its first readiness check, and exits.
     * The JVM image runs one while it is built, against no services, to record its ahead-of-time cache
     * (profile {@code aot-training}, see src/main/docker/Dockerfile.jvm).
     */
    @WithDefault("false")
    boolean trainingRun();

    interface Storage {
        /** Bucket that receives client uploads, under {@code uploads/{videoId}/source}. */
        String inputBucket();

        /** Bucket that receives HLS renditions and thumbnails, under {@code videos/{videoId}/}. */
        String outputBucket();
    }

    interface Database {
        /** Name of the videos table. */
        String table();
    }

    interface Queues {
        /** Queue receiving S3 ObjectCreated notifications for the input bucket. */
        String uploads();

        /** Queue receiving "MediaConvert Job State Change" events, from AWS or the local engine. */
        String jobEvents();

        /** Queue of the local engine's jobs, shared by its worker replicas; needed with the local backend. */
        Optional<String> transcodeJobs();

        /** Every queue vodflow reads or writes. */
        default List<String> all() {
            List<String> all = new ArrayList<>(List.of(uploads(), jobEvents()));
            transcodeJobs().ifPresent(all::add);
            return all;
        }
    }

    interface Upload {
        /** Largest file a client may declare; S3 itself stops at 5 TiB. */
        @WithDefault("10G")
        MemorySize maxSize();

        /** Files larger than this are uploaded in parts. */
        @WithDefault("100M")
        MemorySize multipartThreshold();

        /**
         * Preferred part size of multipart uploads (at least 5 MiB, S3's minimum); larger for files
         * that would otherwise need more than S3's 10,000 parts.
         */
        @WithDefault("16M")
        MemorySize partSize();

        /** How long the presigned URL of a single PUT stays valid. */
        @WithDefault("15m")
        Duration urlLifetime();

        /**
         * How long the part URLs of a multipart upload stay valid, unless the temporary credentials
         * that signed them expire first; the upload's client then has them signed again.
         */
        @WithDefault("6h")
        Duration partUrlLifetime();

        /** How long the longest-lived upload URL stays valid: a single PUT's, or a part's. */
        default Duration longestUrlLifetime() {
            return urlLifetime().compareTo(partUrlLifetime()) > 0 ? urlLifetime() : partUrlLifetime();
        }

        /**
         * Accepted content types; {@code type/*} accepts every subtype. Add {@code audio/*} to accept
         * audio-only uploads.
         */
        @WithDefault("video/*")
        List<String> allowedContentTypes();

        /** Smallest {@code output.maxHeight} a client may ask for, in pixels. */
        @WithDefault("144")
        int minHeight();

        /** Largest {@code output.maxHeight} a client may ask for, in pixels. */
        @WithDefault("2160")
        int maxHeight();

        /** Smallest {@code output.maxBitrate} a client may ask for, in bits per second. */
        @WithDefault("200000")
        int minBitrate();

        /** Largest {@code output.maxBitrate} a client may ask for, in bits per second. */
        @WithDefault("20000000")
        int maxBitrate();
    }

    interface Ingest {
        /** How long a claimed upload belongs to the delivery that claimed it before another may take over. */
        @WithDefault("10m")
        Duration claimLease();

        /** How long SQS keeps a message hidden after a passing fault (throttling, 5xx) before redelivery. */
        @WithDefault("30s")
        Duration retryDelay();

        /**
         * Deliveries of an upload notification before its videos end in ERROR; keep it at the uploads
         * queue's maxReceiveCount, so that vodflow gives up before SQS moves the message away.
         */
        @WithDefault("5")
        int maxDeliveries();

        /** How long probing a source may take. */
        @WithDefault("60s")
        Duration probeTimeout();
    }

    interface Ceilings {
        /** Widest picture, in pixels. */
        @WithDefault("7680")
        int maxWidth();

        /** Tallest picture, in pixels. */
        @WithDefault("7680")
        int maxHeight();

        /** Most pixels a frame (8K UHD is 33,177,600). */
        @WithDefault("35389440")
        long maxPixels();

        /** Longest source. */
        @WithDefault("6h")
        Duration maxDuration();

        /** Highest frame rate, in frames per second. */
        @WithDefault("120")
        double maxFrameRate();

        /** Most streams (video, audio, subtitles, data) in one file. */
        @WithDefault("16")
        int maxStreams();

        /** Highest overall bitrate, in bits per second. */
        @WithDefault("400000000")
        long maxBitrate();

        /** Address space one ffprobe run may map (Linux); a file that needs more is refused. */
        @WithDefault("1G")
        MemorySize probeMemory();
    }

    interface Transcoder {
        /** {@code local}: the ffmpeg engine of this service; {@code mediaconvert}: AWS Elemental MediaConvert. */
        @WithDefault("local")
        Backend backend();

        /**
         * A MediaConvert JobSettings JSON file replacing the bundled template
         * ({@code transcode/job-template.json}); both engines read it.
         */
        Optional<Path> templateFile();

        enum Backend {
            LOCAL,
            MEDIACONVERT
        }
    }

    interface MediaConvert {
        /** IAM role MediaConvert assumes to read the input bucket and write the output bucket. */
        Optional<String> roleArn();

        /** Queue to submit to; MediaConvert's default queue when absent. */
        Optional<String> queueArn();

        /** Endpoint; the regional endpoint {@code https://mediaconvert.<region>.amazonaws.com} when absent. */
        Optional<URI> endpoint();

        /** How often a running job reports STATUS_UPDATE events. */
        @WithDefault("SECONDS_10")
        String statusUpdateInterval();

        /** Accelerated transcoding: DISABLED, ENABLED or PREFERRED. */
        @WithDefault("DISABLED")
        String accelerationMode();

        /** Tags set on every job, for cost allocation. */
        Map<String, String> tags();

        /**
         * How long a submission repeated after the first trusts MediaConvert to recognise its
         * ClientRequestToken; a submission repeated later looks its job up with ListJobs instead.
         * MediaConvert recognises a token for a minute: a little less here, since a repeat sent near
         * the minute's end may reach MediaConvert after it (the call's time, the clocks' skew) and
         * start a second job.
         */
        @WithDefault("45s")
        Duration idempotencyWindow();

        /**
         * How long one MediaConvert call may take, the SDK's retries included: a MediaConvert that
         * does not answer fails the call, which is then retried like any other failure, instead of
         * holding up the uploads behind it or a delete.
         */
        @WithDefault("30s")
        Duration callTimeout();
    }

    interface Local {
        /** Whether this replica runs jobs; API-only replicas of a self-hosted setup turn it off. */
        @WithDefault("true")
        boolean workerEnabled();

        /** Jobs one worker runs at a time. */
        @WithDefault("1")
        int concurrency();

        /**
         * How long a job stays invisible to other workers; a running job extends it. When a worker
         * dies, its job is taken up again after this.
         */
        @WithDefault("60s")
        Duration visibilityTimeout();

        /**
         * Runs of one job before it ends in ERROR, counting runs that failed or whose worker died; a
         * worker that stops in an orderly way hands its job back without using one up.
         */
        @WithDefault("3")
        int maxAttempts();

        /** How often a running job reports STATUS_UPDATE events, as MediaConvert's SECONDS_10. */
        @WithDefault("10s")
        Duration statusUpdateInterval();

        /** x264 preset: faster presets trade compression for speed. */
        @WithDefault("veryfast")
        String preset();

        /** A job whose ffmpeg reports no progress for this long is stopped and ends in ERROR. */
        @WithDefault("5m")
        Duration stallTimeout();

        /** Where jobs keep their temporary files; the system's temporary directory when absent. */
        Optional<Path> workDir();

        /**
         * How long each presigned URL that a job's reads of its source are sent to stays valid. A read
         * only has to begin within it: each read, seek and reconnect gets a URL of its own.
         */
        @WithDefault("5m")
        Duration sourceUrlLifetime();
    }

    /** Whether the deployment uses the local engine: as the backend, or for MediaConvert's fast start. */
    static boolean usesLocalEngine(VodflowConfig config) {
        return config.transcoder().backend() == Transcoder.Backend.LOCAL
                || config.fastStart().enabled();
    }

    /** Whether this replica's local engine takes jobs: where the engine is used and workers are enabled. */
    static boolean runsLocalJobs(VodflowConfig config) {
        return usesLocalEngine(config) && config.local().workerEnabled();
    }

    interface FastStart {
        /**
         * Whether the local engine makes a preview of every video (the ladder's lowest rendition)
         * while MediaConvert makes the whole ladder, so that videos play within seconds; MediaConvert's
         * outputs replace it when its job completes. Needs local workers ({@code vodflow.local.*}).
         */
        @WithDefault("false")
        boolean enabled();
    }

    interface Status {
        /** How often each replica reads the videos its subscribers follow, to catch other replicas' changes. */
        @WithDefault("1s")
        Duration catchUpInterval();

        /** How often an idle Server-Sent Events stream sends a comment, so that proxies keep it open. */
        @WithDefault("15s")
        Duration heartbeatInterval();

        /**
         * How many Server-Sent Events streams may follow one owner's videos at once on one replica; more
         * are refused with a 429 problem.
         */
        @WithDefault("100")
        int streamsPerOwner();

        /** How long job events wait before another try after a passing fault. */
        @WithDefault("10s")
        Duration retryDelay();
    }

    interface Reconciler {
        /** Whether this replica runs the reconciler; every replica may, their writes are conditional. */
        @WithDefault("true")
        boolean enabled();

        /** How often it looks for videos that stalled. */
        @WithDefault("1m")
        Duration interval();

        /**
         * How long after its upload URLs expire a video waits for its file before it ends CANCELED
         * (UPLOAD_EXPIRED); a file that did arrive, but whose notification was lost, is taken in instead.
         */
        @WithDefault("15m")
        Duration uploadGrace();

        /**
         * How long a claimed upload, or a job, may go without any change before the reconciler asks: the
         * upload is taken in again, the job's engine says how the job stands.
         */
        @WithDefault("30m")
        Duration silence();

        /**
         * How long after its submission a job may still run without a word: a job older than this whose
         * events stopped (a paused queue, a hung job) ends in ERROR (JOB_TIMEOUT) and is canceled. A job
         * that keeps reporting progress is left alone.
         */
        @WithDefault("24h")
        Duration maxJobTime();

        /**
         * How long a delete may stay unfinished (its request failed half way, or its replica died)
         * before the reconciler finishes it.
         */
        @WithDefault("5m")
        Duration unfinishedDelete();
    }

    interface Metrics {
        /** How often each replica reads the depth of the queues' dead-letter queues. */
        @WithDefault("60s")
        Duration deadLetterInterval();
    }

    interface Playback {
        /**
         * Base URL of a CDN in front of the output bucket (for example {@code https://d111.cloudfront.net});
         * when absent, vodflow serves the outputs itself under {@code /videos/{id}/}.
         */
        Optional<URI> baseUrl();

        /**
         * How long a video's signed playback links (master playlist, renditions, segments,
         * thumbnails) stay valid after the video was read.
         */
        @WithDefault("6h")
        Duration linkLifetime();

        /** Signing for the CDN, when {@link #baseUrl()} is a CloudFront distribution. */
        CloudFront cloudfront();
    }

    /**
     * CloudFront signed cookies: reading a video sets cookies that open its outputs on the CDN, and
     * only them, until they expire. Set all three, or none (then the CDN serves outputs unsigned).
     */
    interface CloudFront {
        /** Id of the public key in the distribution's trusted key group. */
        Optional<String> keyPairId();

        /** File holding the matching private key, PEM (mount it from a Secret). */
        Optional<Path> privateKeyFile();

        /**
         * Domain the cookies are set for: one that covers both vodflow's API and the CDN (for
         * {@code api.example.com} and {@code cdn.example.com}, {@code example.com}).
         */
        Optional<String> cookieDomain();
    }

    interface Auth {
        /**
         * Whether every {@code /videos} call needs a signed-in caller (an OpenID Connect bearer token,
         * {@code quarkus.oidc.*}). Off only when set to false explicitly: then everyone is one anonymous
         * administrator, and every start logs a warning.
         */
        @WithDefault("true")
        boolean enabled();

        /** The role, in the token's roles claim ({@code quarkus.oidc.roles.role-claim-path}), that reaches every video. */
        @WithDefault("admin")
        String adminRole();

        /**
         * Key that signs playback links and event-stream links (Base64, at least 32 bytes). Every
         * replica needs the same; without it, a random key is made at start, which only one replica
         * alone can use, and production refuses to start.
         */
        Optional<String> signingKey();

        /** How long a link to follow one video's events (for EventSource, which sends no header) is valid. */
        @WithDefault("10m")
        Duration eventsLinkLifetime();

        /**
         * How long a bearer token verified once is trusted again without being verified, never past its
         * expiry ({@code security.VerifiedTokens}); 0 verifies every call.
         */
        @WithDefault("1m")
        Duration verifiedTokenReuse();

        /** How many verified tokens one replica keeps for reuse. */
        @WithDefault("10000")
        int verifiedTokens();

        /**
         * The client ids of the applications whose tokens are accepted: a token must name one as its
         * audience ({@code aud}), authorized party ({@code azp}) or client ({@code client_id}, as
         * Cognito's access tokens do). When absent, {@code quarkus.oidc.client-id} alone.
         */
        Optional<List<String>> acceptedClients();
    }

    interface Quotas {
        /** Videos one owner may have not yet COMPLETE, ERROR or CANCELED. */
        @WithDefault("10")
        int videosInFlight();

        /** Bytes one owner may declare per UTC day. */
        @WithDefault("50G")
        MemorySize bytesPerDay();

        /** Videos one owner may create per minute. */
        @WithDefault("10")
        int creationsPerMinute();
    }

    interface Ffmpeg {
        /** ffmpeg executable; when absent, the bundled one, else {@code ffmpeg} on the PATH. */
        Optional<String> path();

        /** ffprobe executable; when absent, the bundled one, else {@code ffprobe} on the PATH. */
        Optional<String> probePath();
    }

    interface Aws {
        /** Region for SQS and MediaConvert; when absent, the SDK's default region chain decides. */
        Optional<String> region();

        /** Endpoint of SQS, for SQS-compatible self-hosted queues and the embedded services. */
        Optional<URI> sqsEndpoint();

        /**
         * Static access key for the clients vodflow builds itself; when absent, the SDK's default
         * credentials chain is used (environment, profile, web identity on Kubernetes, instance role).
         */
        Optional<String> accessKeyId();

        /** Secret matching {@link #accessKeyId()}. */
        Optional<String> secretAccessKey();
    }

    interface LocalCloud {
        /** Starts the embedded services with the application (dev and test builds only). */
        @WithDefault("false")
        boolean enabled();

        /** Interface the embedded services listen on. */
        @WithDefault("127.0.0.1")
        String host();

        /** Port of the embedded S3 (S3Proxy). */
        @WithDefault("4566")
        int s3Port();

        /** Port of the embedded SQS (ElasticMQ). */
        @WithDefault("9324")
        int sqsPort();

        /** Port of the embedded DynamoDB (dynalite). */
        @WithDefault("8000")
        int dynamodbPort();

        /** Port of the embedded OpenID Connect provider (mock-oauth2-server), issuer {@code /vodflow}. */
        @WithDefault("8180")
        int oidcPort();

        /**
         * Directory keeping S3 objects and DynamoDB tables across restarts. When absent, both live in
         * memory and start empty.
         */
        Optional<Path> dataDir();

        /** Directory where dynalite is installed from the lock file on first use. */
        @WithDefault(".vodflow/tools")
        Path toolsDir();

        /** The Node.js executable that runs dynalite (Node 20 or newer). */
        @WithDefault("node")
        String node();

        /** The npm executable used to install dynalite. */
        @WithDefault("npm")
        String npm();

        /** Access key the embedded S3 expects; not a secret, the services only listen locally. */
        @WithDefault("vodflow")
        String accessKey();

        /** Secret key the embedded S3 expects. */
        @WithDefault("vodflow-local-secret")
        String secretKey();

        /** Origins allowed to upload to the embedded S3 from a browser. */
        @WithDefault("*")
        String corsOrigins();
    }
}
