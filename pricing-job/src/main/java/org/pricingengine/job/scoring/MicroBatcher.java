package org.pricingengine.job.scoring;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.pricingengine.features.FeatureVector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects requests from the async operator and scores them together: a batch closes when it is
 * full or when its first request has waited {@code maxWaitNanos}. Under light load a request waits
 * at most that long; under heavy load batches fill at once and throughput rises with batch size.
 * One scoring thread, so the reusable buffers need no locking.
 */
final class MicroBatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MicroBatcher.class);

    /** What the batcher reports after each model call, for metrics. */
    public interface BatchListener {
        void onBatch(int size, long inferenceNanos);
    }

    private record Pending(FeatureVector features, CompletableFuture<DemandEstimate> result) {}

    private final DemandModel model;
    private final int maxBatch;
    private final long maxWaitNanos;
    private final BlockingQueue<Pending> queue;
    private final ScoringBatch batch;
    private final Thread thread;
    private final BatchListener listener;
    private volatile boolean running = true;

    public MicroBatcher(
            DemandModel model,
            int maxBatch,
            long maxWaitNanos,
            int queueCapacity,
            String threadName,
            BatchListener listener) {
        this.model = model;
        this.maxBatch = maxBatch;
        this.maxWaitNanos = maxWaitNanos;
        this.queue = new ArrayBlockingQueue<>(Math.max(queueCapacity, maxBatch));
        this.batch = new ScoringBatch(maxBatch);
        this.listener = listener;
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * Queues a request; the future fails at once if the queue is full or the batcher is closed. Cancelling
     * the future takes the request out of scoring if its batch has not started yet.
     */
    public CompletableFuture<DemandEstimate> submit(FeatureVector features) {
        CompletableFuture<DemandEstimate> result = new CompletableFuture<>();
        if (!running) {
            result.completeExceptionally(new IllegalStateException("scoring is shut down"));
        } else if (!queue.offer(new Pending(features, result))) {
            result.completeExceptionally(new IllegalStateException("scoring queue full"));
        }
        return result;
    }

    public int queueDepth() {
        return queue.size();
    }

    private void run() {
        List<Pending> taken = new ArrayList<>(maxBatch);
        while (running) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                taken.add(first);
                long deadline = System.nanoTime() + maxWaitNanos;
                while (taken.size() < maxBatch) {
                    if (queue.drainTo(taken, maxBatch - taken.size()) > 0) {
                        continue;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    Pending next = queue.poll(left, TimeUnit.NANOSECONDS);
                    if (next == null) {
                        break;
                    }
                    taken.add(next);
                }
                scoreAll(taken);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } finally {
                taken.clear();
            }
        }
        failRemaining();
    }

    private void scoreAll(List<Pending> taken) {
        // A request whose future is done timed out in the operator (and was cancelled): nobody waits for
        // it, and scoring it would only delay the requests behind it.
        taken.removeIf(p -> p.result().isDone());
        if (taken.isEmpty()) {
            return;
        }
        batch.clear();
        for (Pending p : taken) {
            batch.add(p.features(), model.contextMean(), model.contextStd());
        }
        long start = System.nanoTime();
        try {
            model.score(batch);
        } catch (Exception | LinkageError e) {
            LOG.warn("model call for a batch of {} failed: {}", taken.size(), e.toString());
            for (Pending p : taken) {
                p.result().completeExceptionally(e);
            }
            return;
        }
        if (listener != null) {
            listener.onBatch(taken.size(), System.nanoTime() - start);
        }
        for (int i = 0; i < taken.size(); i++) {
            taken.get(i).result().complete(new DemandEstimate(batch.baseLogit(i), batch.priceSensitivity(i)));
        }
    }

    private void failRemaining() {
        Pending p;
        while ((p = queue.poll()) != null) {
            p.result().completeExceptionally(new IllegalStateException("scoring is shut down"));
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failRemaining();
    }
}
