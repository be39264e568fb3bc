CREATE TABLE "activity_log" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"company_id" uuid NOT NULL,
	"actor_type" text NOT NULL,
	"actor_id" text NOT NULL,
	"agent_id" uuid,
	"run_id" uuid,
	"action" text NOT NULL,
	"entity_type" text NOT NULL,
	"entity_id" text NOT NULL,
	"project_id" uuid,
	"details" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "activity_log_actor_type_ck" CHECK (actor_type in ('user', 'agent', 'system'))
);
--> statement-breakpoint
CREATE TABLE "routine_revisions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"company_id" uuid NOT NULL,
	"routine_id" uuid NOT NULL,
	"revision_number" integer NOT NULL,
	"title" text NOT NULL,
	"description" text,
	"snapshot" jsonb NOT NULL,
	"env_ciphertext" jsonb,
	"change_summary" text,
	"restored_from_revision_id" uuid,
	"created_by_agent_id" uuid,
	"created_by_user_id" text,
	"created_by_run_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "routine_runs" ADD COLUMN "routine_revision_id" uuid;--> statement-breakpoint
ALTER TABLE "routine_runs" ADD COLUMN "dispatch_fingerprint" text;--> statement-breakpoint
ALTER TABLE "routine_triggers" ADD COLUMN "created_by_user_id" text;--> statement-breakpoint
ALTER TABLE "routine_triggers" ADD COLUMN "updated_by_user_id" text;--> statement-breakpoint
ALTER TABLE "routines" ADD COLUMN "folder_id" uuid;--> statement-breakpoint
ALTER TABLE "routines" ADD COLUMN "activity_gate_policy" text DEFAULT 'always' NOT NULL;--> statement-breakpoint
ALTER TABLE "routines" ADD COLUMN "activity_gate_scope" text DEFAULT 'company' NOT NULL;--> statement-breakpoint
ALTER TABLE "routines" ADD COLUMN "variables" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "routines" ADD COLUMN "env" jsonb;--> statement-breakpoint
ALTER TABLE "routines" ADD COLUMN "latest_revision_id" uuid;--> statement-breakpoint
ALTER TABLE "routines" ADD COLUMN "latest_revision_number" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "routines" ADD COLUMN "created_by_user_id" text;--> statement-breakpoint
ALTER TABLE "routines" ADD COLUMN "updated_by_user_id" text;--> statement-breakpoint
ALTER TABLE "routines" ADD COLUMN "responsible_user_id" text;--> statement-breakpoint
ALTER TABLE "activity_log" ADD CONSTRAINT "activity_log_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "routine_revisions" ADD CONSTRAINT "routine_revisions_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "routine_revisions" ADD CONSTRAINT "routine_revisions_routine_id_routines_id_fk" FOREIGN KEY ("routine_id") REFERENCES "public"."routines"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "routine_revisions" ADD CONSTRAINT "routine_revisions_created_by_agent_id_agents_id_fk" FOREIGN KEY ("created_by_agent_id") REFERENCES "public"."agents"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "activity_log_company_created_idx" ON "activity_log" USING btree ("company_id","created_at","id");--> statement-breakpoint
CREATE INDEX "activity_log_project_created_idx" ON "activity_log" USING btree ("project_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "routine_revisions_routine_number_uq" ON "routine_revisions" USING btree ("routine_id","revision_number");--> statement-breakpoint
CREATE INDEX "routine_runs_routine_triggered_idx" ON "routine_runs" USING btree ("routine_id","triggered_at");--> statement-breakpoint
ALTER TABLE "routines" ADD CONSTRAINT "routines_activity_gate_policy_ck" CHECK (activity_gate_policy in ('always', 'require_external_activity'));--> statement-breakpoint
ALTER TABLE "routines" ADD CONSTRAINT "routines_activity_gate_scope_ck" CHECK (activity_gate_scope in ('company', 'project'));