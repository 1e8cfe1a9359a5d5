package org.pricingengine.features.flink;

import org.pricingengine.features.events.BehaviourEvent;
import org.pricingengine.features.events.CatalogUpdate;
import org.pricingengine.features.events.CompetitorPrice;
import org.pricingengine.features.events.DeadLetter;
import org.pricingengine.features.events.ErasureRequest;
import org.pricingengine.features.events.PriceRequest;

/**
 * A record read from one of the input topics after validation: exactly one of a catalog update, a
 * behaviour event, a price request, a competitor price, an erasure request, or the dead letter that says
 * why the record was refused. The item-keyed operator consumes the valid ones (erasures stop at the
 * behaviour gate). A POJO (not a record) so Flink can evolve it and serialize the absent members.
 */
public class InboundRecord {
    public CatalogUpdate catalog;
    public BehaviourEvent behaviour;
    public PriceRequest request;
    public CompetitorPrice competitorPrice;
    /** A shopper to forget; reaches the user-keyed operators only. */
    public ErasureRequest erasure;
    /** When the request was produced to Kafka (epoch ms): the start of its end-to-end latency. */
    public long producedAtMs;

    public DeadLetter deadLetter;
    /** Where a behaviour event was read, so that a later refusal (duplicate, late) can name it. */
    public int sourcePartition = -1;

    public long sourceOffset = -1;

    public InboundRecord() {}

    public static InboundRecord of(CatalogUpdate update) {
        InboundRecord in = new InboundRecord();
        in.catalog = update;
        return in;
    }

    public static InboundRecord of(BehaviourEvent event) {
        InboundRecord in = new InboundRecord();
        in.behaviour = event;
        return in;
    }

    public static InboundRecord of(BehaviourEvent event, int partition, long offset) {
        InboundRecord in = of(event);
        in.sourcePartition = partition;
        in.sourceOffset = offset;
        return in;
    }

    public static InboundRecord of(PriceRequest request, long producedAtMs) {
        InboundRecord in = new InboundRecord();
        in.request = request;
        in.producedAtMs = producedAtMs;
        return in;
    }

    public static InboundRecord of(CompetitorPrice price) {
        InboundRecord in = new InboundRecord();
        in.competitorPrice = price;
        return in;
    }

    public static InboundRecord of(ErasureRequest erasure) {
        InboundRecord in = new InboundRecord();
        in.erasure = erasure;
        return in;
    }

    public static InboundRecord of(DeadLetter deadLetter) {
        InboundRecord in = new InboundRecord();
        in.deadLetter = deadLetter;
        return in;
    }

    public boolean isValid() {
        return deadLetter == null;
    }

    /** Event time of a valid record; dead letters have none (they must not move watermarks). */
    public long eventTimeMs() {
        if (catalog != null) {
            return catalog.updateTimeMs();
        }
        if (behaviour != null) {
            return behaviour.eventTimeMs();
        }
        if (competitorPrice != null) {
            return competitorPrice.observedTimeMs();
        }
        if (erasure != null) {
            return erasure.requestTimeMs();
        }
        return request != null ? request.requestTimeMs() : Long.MIN_VALUE;
    }

    /** The shopper of a behaviour event, price request or erasure; null for a catalog update or competitor price. */
    public String userId() {
        if (behaviour != null) {
            return behaviour.userId();
        }
        if (erasure != null) {
            return erasure.userId();
        }
        return request != null ? request.userId() : null;
    }

    public String itemId() {
        if (catalog != null) {
            return catalog.itemId();
        }
        if (competitorPrice != null) {
            return competitorPrice.itemId();
        }
        return behaviour != null ? behaviour.itemId() : request.itemId();
    }
}
