package dev.weir.net;

/** Identifies one data channel of one attempt: receiving stage, sending and receiving subtask. */
record ChannelKey(int attempt, int stage, int sender, int receiver) {}
