CREATE TABLE "drizzle_example_accounts" (
	"id" serial PRIMARY KEY NOT NULL,
	"owner" text NOT NULL,
	"balance" integer DEFAULT 0 NOT NULL
);
