CREATE TABLE "annotation_comments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"company_id" uuid NOT NULL,
	"thread_id" uuid NOT NULL,
	"routine_id" uuid NOT NULL,
	"document_id" uuid NOT NULL,
	"body" text NOT NULL,
	"author_type" text NOT NULL,
	"author_agent_id" uuid,
	"author_user_id" text,
	"created_by_run_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "annotation_comments_author_type_ck" CHECK (author_type in ('user', 'agent', 'system'))
);
--> statement-breakpoint
CREATE TABLE "annotation_threads" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"company_id" uuid NOT NULL,
	"routine_id" uuid NOT NULL,
	"document_id" uuid NOT NULL,
	"document_key" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"anchor_state" text DEFAULT 'active' NOT NULL,
	"anchor_confidence" text DEFAULT 'exact' NOT NULL,
	"original_revision_id" uuid,
	"original_revision_number" integer NOT NULL,
	"current_revision_id" uuid,
	"current_revision_number" integer NOT NULL,
	"selected_text" text NOT NULL,
	"prefix_text" text NOT NULL,
	"suffix_text" text NOT NULL,
	"normalized_start" integer NOT NULL,
	"normalized_end" integer NOT NULL,
	"markdown_start" integer NOT NULL,
	"markdown_end" integer NOT NULL,
	"anchor_selector" jsonb NOT NULL,
	"created_by_agent_id" uuid,
	"created_by_user_id" text,
	"resolved_by_agent_id" uuid,
	"resolved_by_user_id" text,
	"resolved_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "annotation_threads_status_ck" CHECK (status in ('open', 'resolved')),
	CONSTRAINT "annotation_threads_anchor_state_ck" CHECK (anchor_state in ('active', 'stale', 'orphaned')),
	CONSTRAINT "annotation_threads_anchor_confidence_ck" CHECK (anchor_confidence in ('exact', 'duplicate', 'fuzzy', 'ambiguous', 'missing'))
);
--> statement-breakpoint
CREATE TABLE "routine_document_revisions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"company_id" uuid NOT NULL,
	"document_id" uuid NOT NULL,
	"revision_number" integer NOT NULL,
	"body" text NOT NULL,
	"change_summary" text,
	"created_by_agent_id" uuid,
	"created_by_user_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "routine_documents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"company_id" uuid NOT NULL,
	"routine_id" uuid NOT NULL,
	"key" text DEFAULT 'description' NOT NULL,
	"body" text NOT NULL,
	"latest_revision_id" uuid,
	"latest_revision_number" integer NOT NULL,
	"created_by_agent_id" uuid,
	"created_by_user_id" text,
	"updated_by_agent_id" uuid,
	"updated_by_user_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "annotation_comments" ADD CONSTRAINT "annotation_comments_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "annotation_comments" ADD CONSTRAINT "annotation_comments_thread_id_annotation_threads_id_fk" FOREIGN KEY ("thread_id") REFERENCES "public"."annotation_threads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "annotation_comments" ADD CONSTRAINT "annotation_comments_author_agent_id_agents_id_fk" FOREIGN KEY ("author_agent_id") REFERENCES "public"."agents"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "annotation_threads" ADD CONSTRAINT "annotation_threads_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "annotation_threads" ADD CONSTRAINT "annotation_threads_routine_id_routines_id_fk" FOREIGN KEY ("routine_id") REFERENCES "public"."routines"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "annotation_threads" ADD CONSTRAINT "annotation_threads_document_id_routine_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."routine_documents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "annotation_threads" ADD CONSTRAINT "annotation_threads_created_by_agent_id_agents_id_fk" FOREIGN KEY ("created_by_agent_id") REFERENCES "public"."agents"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "annotation_threads" ADD CONSTRAINT "annotation_threads_resolved_by_agent_id_agents_id_fk" FOREIGN KEY ("resolved_by_agent_id") REFERENCES "public"."agents"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "routine_document_revisions" ADD CONSTRAINT "routine_document_revisions_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "routine_document_revisions" ADD CONSTRAINT "routine_document_revisions_document_id_routine_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."routine_documents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "routine_document_revisions" ADD CONSTRAINT "routine_document_revisions_created_by_agent_id_agents_id_fk" FOREIGN KEY ("created_by_agent_id") REFERENCES "public"."agents"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "routine_documents" ADD CONSTRAINT "routine_documents_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "routine_documents" ADD CONSTRAINT "routine_documents_routine_id_routines_id_fk" FOREIGN KEY ("routine_id") REFERENCES "public"."routines"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "routine_documents" ADD CONSTRAINT "routine_documents_created_by_agent_id_agents_id_fk" FOREIGN KEY ("created_by_agent_id") REFERENCES "public"."agents"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "routine_documents" ADD CONSTRAINT "routine_documents_updated_by_agent_id_agents_id_fk" FOREIGN KEY ("updated_by_agent_id") REFERENCES "public"."agents"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "annotation_comments_thread_idx" ON "annotation_comments" USING btree ("thread_id","created_at");--> statement-breakpoint
CREATE INDEX "annotation_threads_routine_idx" ON "annotation_threads" USING btree ("routine_id","updated_at");--> statement-breakpoint
CREATE UNIQUE INDEX "routine_document_revisions_number_uq" ON "routine_document_revisions" USING btree ("document_id","revision_number");--> statement-breakpoint
CREATE UNIQUE INDEX "routine_documents_routine_key_uq" ON "routine_documents" USING btree ("routine_id","key");--> statement-breakpoint
-- Every routine that exists already gets its description document, at revision 1.
INSERT INTO "routine_documents" ("company_id", "routine_id", "body", "latest_revision_number", "created_by_agent_id", "created_by_user_id", "updated_by_agent_id", "updated_by_user_id", "created_at", "updated_at")
SELECT "company_id", "id", coalesce("description", ''), 1, "created_by_agent_id", "created_by_user_id", "updated_by_agent_id", "updated_by_user_id", "created_at", "updated_at" FROM "routines";--> statement-breakpoint
INSERT INTO "routine_document_revisions" ("company_id", "document_id", "revision_number", "body", "created_by_agent_id", "created_by_user_id", "created_at")
SELECT "company_id", "id", 1, "body", "created_by_agent_id", "created_by_user_id", "created_at" FROM "routine_documents";--> statement-breakpoint
UPDATE "routine_documents" d SET "latest_revision_id" = r."id" FROM "routine_document_revisions" r WHERE r."document_id" = d."id" AND r."revision_number" = 1;
