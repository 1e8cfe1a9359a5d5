package org.pricingengine.job.io;

/** The input streams of item and shopper facts, each with its own record type and parser. */
enum InputTopic {
    BEHAVIOUR_EVENTS,
    CATALOG_UPDATES,
    PRICE_REQUESTS,
    COMPETITOR_PRICES
}
