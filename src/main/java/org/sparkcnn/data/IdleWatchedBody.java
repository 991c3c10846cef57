package org.sparkcnn.data;

import java.io.IOException;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.BodySubscribers;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Collects an HTTP response body into a byte array while recording when data last arrived, so the caller
 * can abort a transfer that stalls. HttpClient's own request timeout only covers the wait for the response
 * headers; a mirror that sends headers and then stops would otherwise block forever. Also caps the body
 * size, so a misconfigured mirror cannot fill the heap.
 */
final class IdleWatchedBody implements BodySubscriber<byte[]> {
    private final BodySubscriber<byte[]> delegate = BodySubscribers.ofByteArray();
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final long maxBytes;
    private volatile Flow.Subscription subscription;
    private volatile long lastActivityNanos = System.nanoTime();
    private long received;

    IdleWatchedBody(long maxBytes) {
        this.maxBytes = maxBytes;
        delegate.getBody().whenComplete((body, error) -> {
            if (error != null) {
                result.completeExceptionally(error);
            } else {
                result.complete(body);
            }
        });
    }

    /** Nanoseconds since data last arrived (or since the body started). */
    long idleNanos() {
        return System.nanoTime() - lastActivityNanos;
    }

    /** Stops the transfer; the body completes exceptionally with {@code cause}. */
    void abort(IOException cause) {
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
        result.completeExceptionally(cause);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        delegate.onSubscribe(s);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        lastActivityNanos = System.nanoTime();
        for (ByteBuffer b : buffers) {
            received += b.remaining();
        }
        if (received > maxBytes) {
            abort(new IOException("response larger than " + maxBytes + " bytes"));
            return;
        }
        delegate.onNext(buffers);
    }

    @Override
    public void onError(Throwable t) {
        delegate.onError(t);
    }

    @Override
    public void onComplete() {
        delegate.onComplete();
    }

    @Override
    public CompletionStage<byte[]> getBody() {
        return result;
    }
}
