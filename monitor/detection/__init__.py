"""Detection: what turns scored mentions into findings (spikes, stories, individual triggers)."""
