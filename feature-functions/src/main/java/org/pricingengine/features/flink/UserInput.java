package org.pricingengine.features.flink;

import org.pricingengine.features.events.BehaviourEvent;

/** What the user-keyed operator consumes: exactly one of a behaviour event or a priced-item request. */
public class UserInput {
    public BehaviourEvent behaviour;
    public EnrichedRequest request;

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

    public String userId() {
        return behaviour != null ? behaviour.userId() : request.request().userId();
    }
}
