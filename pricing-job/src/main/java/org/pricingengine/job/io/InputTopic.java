package org.pricingengine.job.io;

/** The three input streams, each with its own record type and parser. */
enum InputTopic {
    BEHAVIOUR_EVENTS,
    CATALOG_UPDATES,
    PRICE_REQUESTS
}
