ALTER TABLE "routine_triggers" ADD COLUMN "last_refused_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "routine_triggers" ADD COLUMN "last_refusal" text;