CREATE TABLE "heartbeat_attempts" (
	"heartbeat_run_id" uuid NOT NULL,
	"attempt" integer NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone DEFAULT now() NOT NULL,
	"adapter_type" text NOT NULL,
	"outcome" text NOT NULL,
	"code" integer,
	"error" text,
	CONSTRAINT "heartbeat_attempts_heartbeat_run_id_attempt_pk" PRIMARY KEY("heartbeat_run_id","attempt"),
	CONSTRAINT "heartbeat_attempts_outcome_ck" CHECK (outcome in ('succeeded', 'failed', 'timed_out', 'lease_lapsed'))
);
--> statement-breakpoint
ALTER TABLE "heartbeat_attempts" ADD CONSTRAINT "heartbeat_attempts_heartbeat_run_id_heartbeat_runs_id_fk" FOREIGN KEY ("heartbeat_run_id") REFERENCES "public"."heartbeat_runs"("id") ON DELETE cascade ON UPDATE no action;