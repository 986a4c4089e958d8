"""Write the bundled demo data set (monitor/replay/sample_data/brightwave_week.jsonl)."""

from monitor.replay.demo_data import DEMO_FILE, write

if __name__ == "__main__":
    print(f"wrote {write()} mentions to {DEMO_FILE}")
