"""Running it for real: the APScheduler service, the Celery worker, the instance lock, health and metrics."""
