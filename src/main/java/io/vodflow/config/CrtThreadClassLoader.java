package io.vodflow.config;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * Gives AWS CRT's threads the application's class loader. The CRT's native event-loop threads call
 * into Java with no context class loader, and either complete a call there (DynamoDB's, see
 * application.properties) or hand it to a completion pool from there: Quarkus' worker pool (for the
 * S3 client) runs each task with the class loader of the thread that submitted it, and the SDK's own
 * pool starts its threads with it. In the packaged application code then ran without one, and CDI
 * failed to create beans on those threads (in dev mode and tests the amazon-services extension sets
 * it for its own clients). This interceptor runs on the event-loop thread when a response arrives,
 * before it is handed on, and sets the loader there once.
 */
public class CrtThreadClassLoader implements ExecutionInterceptor {

    private static final ClassLoader APPLICATION = CrtThreadClassLoader.class.getClassLoader();

    @Override
    public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
        Thread thread = Thread.currentThread();
        if (thread.getContextClassLoader() == null) {
            thread.setContextClassLoader(APPLICATION);
        }
    }
}
