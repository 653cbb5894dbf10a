package io.vodflow.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;
import io.smallrye.mutiny.subscription.UniEmitter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Callers asking for one key at once share its reads, and each gets a read sent after it asked. */
class SharedReadsTest {

    /** The reads sent, in order; each ends when the test says. */
    private final List<UniEmitter<? super String>> sent = new CopyOnWriteArrayList<>();

    private final SharedReads<String, String> reads =
            new SharedReads<>(key -> Uni.createFrom().emitter(sent::add));

    @Test
    void aCrowdAskingDuringAReadWaitsForTheNextOneAndSharesIt() {
        UniAssertSubscriber<String> first = ask("video");
        List<UniAssertSubscriber<String>> crowd =
                IntStream.range(0, 1000).mapToObj(i -> ask("video")).toList();
        assertThat(sent).as("reads sent while the first is under way").hasSize(1);

        sent.get(0).complete("version 1");
        first.assertItem("version 1");
        // The first read may have left before a write the crowd's callers expect to see.
        crowd.forEach(UniAssertSubscriber::assertNotTerminated);
        assertThat(sent).as("the crowd's read, sent once the first ended").hasSize(2);

        sent.get(1).complete("version 2");
        crowd.forEach(caller -> caller.assertItem("version 2"));

        UniAssertSubscriber<String> later = ask("video");
        assertThat(sent).as("nobody waits any more: a later caller reads again").hasSize(3);
        sent.get(2).complete("version 3");
        later.assertItem("version 3");
    }

    @Test
    void aFailedReadFailsOnlyTheCallersItServes() {
        UniAssertSubscriber<String> first = ask("video");
        UniAssertSubscriber<String> second = ask("video");

        sent.get(0).fail(new IllegalStateException("throttled"));
        first.assertFailedWith(IllegalStateException.class, "throttled");
        second.assertNotTerminated();

        sent.get(1).complete("version 1");
        second.assertItem("version 1");
    }

    @Test
    void differentKeysAreReadSideBySide() {
        UniAssertSubscriber<String> one = ask("one");
        UniAssertSubscriber<String> other = ask("other");
        assertThat(sent).hasSize(2);

        sent.get(1).complete("other's");
        other.assertItem("other's");
        one.assertNotTerminated();
    }

    @Test
    void aReadThatThrowsFailsItsCallerAndLeavesTheKeyReadable() {
        AtomicInteger calls = new AtomicInteger();
        SharedReads<String, String> throwing = new SharedReads<>(key -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalArgumentException("no such table");
            }
            return Uni.createFrom().item("read " + calls.get());
        });

        throwing.get("video")
                .subscribe()
                .withSubscriber(UniAssertSubscriber.create())
                .assertFailedWith(IllegalArgumentException.class, "no such table");
        throwing.get("video")
                .subscribe()
                .withSubscriber(UniAssertSubscriber.create())
                .assertItem("read 2");
    }

    @Test
    void underConcurrencyEveryCallerGetsAReadSentAfterItAsked() throws Exception {
        AtomicInteger sentCount = new AtomicInteger();
        ExecutorService readers = Executors.newFixedThreadPool(2);
        ExecutorService callers = Executors.newFixedThreadPool(8);
        // Each read answers with its number, in the order sent, from another thread.
        SharedReads<String, Integer> numbered = new SharedReads<>(key -> {
            int number = sentCount.incrementAndGet();
            return Uni.createFrom().item(number).emitOn(readers);
        });
        try {
            List<Asked> asked = new CopyOnWriteArrayList<>();
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < 4000; i++) {
                done.add(callers.submit(() -> {
                    int before = sentCount.get();
                    asked.add(new Asked(
                            before, numbered.get("video").subscribe().withSubscriber(UniAssertSubscriber.create())));
                }));
            }
            for (var each : done) {
                each.get();
            }

            for (Asked each : asked) {
                int read = each.answer().awaitItem(Duration.ofSeconds(10)).getItem();
                assertThat(read).as("a read sent after the caller asked").isGreaterThan(each.readsSentBefore());
            }
        } finally {
            callers.shutdownNow();
            readers.shutdownNow();
        }
    }

    private record Asked(int readsSentBefore, UniAssertSubscriber<Integer> answer) {}

    private UniAssertSubscriber<String> ask(String key) {
        return reads.get(key).subscribe().withSubscriber(UniAssertSubscriber.create());
    }
}
