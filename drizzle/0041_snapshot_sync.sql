-- No change to the database. Migrations 0010, 0020 and 0030/0031, 0040 were written on parallel
-- branches, each with a snapshot whose parent was 0002, so drizzle-kit saw a collision. Their
-- snapshots are now chained in file-name order (the order drizzle-kit reads), and this entry's snapshot describes the whole
-- merged schema (every statement drizzle-kit proposed here is already applied by those files),
-- so the next `npm run db:generate` diffs against the truth.
SELECT 1;
