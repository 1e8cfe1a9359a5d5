package org.pricingengine.job.io;

/** The input streams read as inbound records, each with its own record type and parser. */
enum InputTopic {
    BEHAVIOUR_EVENTS,
    CATALOG_UPDATES,
    PRICE_REQUESTS,
    COMPETITOR_PRICES,
    ERASURE_REQUESTS
}
