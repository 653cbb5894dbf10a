package io.vodflow.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Map;

/**
 * Runs the application with the MediaConvert backend pointed at a {@link MediaConvertStub}, injected
 * into test fields annotated {@link Stub}.
 */
public class MediaConvertStubResource implements QuarkusTestResourceLifecycleManager {

    public static final String ROLE_ARN = "arn:aws:iam::111122223333:role/vodflow-mediaconvert";
    public static final String QUEUE_ARN = "arn:aws:mediaconvert:us-east-1:111122223333:queues/vodflow";

    /** Marks the field that receives the stub. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface Stub {}

    private MediaConvertStub stub;

    @Override
    public Map<String, String> start() {
        stub = new MediaConvertStub();
        return Map.of(
                "vodflow.transcoder.backend",
                "mediaconvert",
                "vodflow.mediaconvert.endpoint",
                stub.endpoint(),
                "vodflow.mediaconvert.role-arn",
                ROLE_ARN,
                "vodflow.mediaconvert.queue-arn",
                QUEUE_ARN,
                "vodflow.mediaconvert.tags.project",
                "vodflow",
                // Long enough for the SDK's retries of the scripted failures, short enough to wait for.
                "vodflow.mediaconvert.call-timeout",
                "5s");
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(stub, new TestInjector.AnnotatedAndMatchesType(Stub.class, MediaConvertStub.class));
    }

    @Override
    public void stop() {
        if (stub != null) {
            stub.close();
        }
    }
}
