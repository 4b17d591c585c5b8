import { Card, CardBody } from "@/components/ui/card";
import { LoadingRegion, Skeleton } from "@/components/ui/skeleton";

export function TotalsSkeleton() {
  return (
    <LoadingRegion label="Loading totals" className="grid grid-cols-2 gap-3 md:grid-cols-3">
      {Array.from({ length: 6 }, (_, i) => (
        <div key={i} className="rounded-xl border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
          <Skeleton className="h-3 w-20" />
          <Skeleton className="mt-3 h-6 w-24" />
          <Skeleton className="mt-2 h-3 w-28" />
        </div>
      ))}
    </LoadingRegion>
  );
}

export function ChartSkeleton() {
  return (
    <Card>
      <LoadingRegion label="Loading chart">
        <CardBody>
          <Skeleton className="h-4 w-40" />
          <Skeleton className="mt-4 h-72 w-full" />
        </CardBody>
      </LoadingRegion>
    </Card>
  );
}

export function TableSkeleton({ label }: { label: string }) {
  return (
    <Card>
      <LoadingRegion label={label}>
        <CardBody className="space-y-3">
          <Skeleton className="h-4 w-32" />
          {Array.from({ length: 4 }, (_, i) => (
            <Skeleton key={i} className="h-5 w-full" />
          ))}
        </CardBody>
      </LoadingRegion>
    </Card>
  );
}
