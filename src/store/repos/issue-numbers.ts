/**
 * Issue numbers: the one way they are taken, and the one way an identifier (`ACME-12`) is built. Numbers come
 * from the company's counter, whose row stays locked until the transaction ends (so numbers have no gaps and
 * follow commit order); companies are locked in id order, so two writers cannot deadlock on them.
 */
import { type SQL, sql } from "drizzle-orm";
import { type Executor, queryRows } from "../db";

/** `PREFIX-N`, built by the database where the number is taken. */
export const issueIdentifier = (prefix: SQL, number: SQL): SQL => sql`${prefix} || '-' || ${number}`;

/**
 * CTEs `issue_number_locked`, `issue_number`: takes `taken` numbers per company from `wanted` (a query of
 * `company_id, taken`); `issue_number` has each company's `first` number and its `prefix`.
 */
export function issueNumbers(wanted: SQL): SQL {
  return sql`issue_number_locked as (
    select id from companies where id in (select company_id from (${wanted}) w) order by id for no key update
  ), issue_number as (
    update companies c set issue_counter = c.issue_counter + k.taken
    from (${wanted}) k
    where c.id = k.company_id and c.id in (select id from issue_number_locked)
    returning c.id as company_id, c.issue_counter - k.taken + 1 as first, c.issue_prefix as prefix
  )`;
}

/** Takes one issue number of a company: the number and its identifier. */
export async function takeIssueNumber(db: Executor, companyId: string): Promise<{ issueNumber: number; identifier: string }> {
  const [row] = await queryRows<{ first: number; identifier: string }>(
    db,
    sql`with ${issueNumbers(sql`select ${companyId}::uuid as company_id, 1 as taken`)}
        select first, ${issueIdentifier(sql`prefix`, sql`first`)} as identifier from issue_number`,
  );
  if (!row) throw new Error(`company ${companyId} not found`);
  return { issueNumber: Number(row.first), identifier: row.identifier };
}
