package org.pricingengine.features.flink;

import org.pricingengine.features.events.BehaviourEvent;
import org.pricingengine.features.events.ErasureRequest;

/**
 * What the user-keyed operator consumes: exactly one of a behaviour event, a priced-item request or an
 * erasure of the user.
 */
public class UserInput {
    public BehaviourEvent behaviour;
    public EnrichedRequest request;
    public ErasureRequest erasure;

    public UserInput() {}

    public static UserInput of(BehaviourEvent event) {
        UserInput in = new UserInput();
        in.behaviour = event;
        return in;
    }

    public static UserInput of(EnrichedRequest request) {
        UserInput in = new UserInput();
        in.request = request;
        return in;
    }

    public static UserInput of(ErasureRequest erasure) {
        UserInput in = new UserInput();
        in.erasure = erasure;
        return in;
    }

    public String userId() {
        if (erasure != null) {
            return erasure.userId();
        }
        return behaviour != null ? behaviour.userId() : request.request().userId();
    }
}
