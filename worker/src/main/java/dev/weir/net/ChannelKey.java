package dev.weir.net;

/**
 * Identifies one data channel of one deployment: receiving stage, sending and receiving subtask.
 */
record ChannelKey(long deploymentId, int stage, int sender, int receiver) {}
