/** `aws-iam`: an IAM policy allowing GetSecretValue on exactly the secrets the schema's aws-sm:// refs name. */
import type { Manifest } from "../../schema/manifest.ts";
import { planReads } from "../../providers/aws-sm/plan.ts";
import { AWS_SECRET_PREFIX, textFlag, type TargetFlag } from "./flags.ts";
import { fieldRefs, nothingFor, refProblem, uniqueSorted, type TargetContext, type TargetFile } from "./target.ts";

export interface AwsIamOptions {
  /** Region and account of secrets named without an ARN; default `*`. */
  readonly region?: string;
  readonly account?: string;
  /** Prepended to bare names, as the provider's AWS_SECRET_PREFIX; default none. */
  readonly secretPrefix?: string;
  /** ARN partition, e.g. `aws-cn`; default `aws`. */
  readonly partition?: string;
}

const TARGET = "aws-iam";

export function emitAwsIam(manifest: Manifest, options: TargetContext & AwsIamOptions): TargetFile[] {
  const refs = fieldRefs(manifest).filter(({ ref }) => ref.scheme === "aws-sm");
  if (refs.length === 0) throw nothingFor(TARGET, "aws-sm:// refs");
  const plan = planReads(refs.map(({ ref }) => ref), options.secretPrefix ?? "", "");
  for (const { field, ref } of refs) {
    const rejected = plan.rejected.get(ref.raw);
    if (rejected?.status === "error") throw refProblem(TARGET, field, rejected.message);
  }
  const ids = [...plan.regions.values()].flatMap((reads) => [...reads.current.keys(), ...reads.pinned.map((read) => read.id)]);
  const policy = {
    Version: "2012-10-17",
    Statement: [
      { Sid: "ReadReferencedSecrets", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: uniqueSorted(ids.map((id) => arnOf(id, options))) },
      // BatchGetSecretValue has no resource type: AWS checks GetSecretValue on each secret it returns.
      { Sid: "BatchReadEachAuthorizedAbove", Effect: "Allow", Action: "secretsmanager:BatchGetSecretValue", Resource: "*" },
    ],
  };
  return [{ name: "aws-iam-policy.json", content: `${JSON.stringify(policy, null, 2)}\n` }];
}

/**
 * A secret's ARN ends in `-` and six random characters, so a name (or a partial ARN, which
 * GetSecretValue also accepts) matches with `-??????`.
 */
function arnOf(id: string, options: AwsIamOptions): string {
  if (id.startsWith("arn:")) return /-[A-Za-z0-9]{6}$/.test(id) ? id : `${id}-??????`;
  return `arn:${options.partition ?? "aws"}:secretsmanager:${options.region ?? "*"}:${options.account ?? "*"}:secret:${id}-??????`;
}

export const AWS_IAM_FLAGS: Readonly<Record<string, TargetFlag<AwsIamOptions>>> = {
  region: textFlag("region", { value: "<region>", help: "region of secrets named without an ARN (default *)", valid: /^[a-z]{2}(?:-[a-z]+)+-\d+$/, expected: "an AWS region such as eu-west-1", example: "eu-west-1" }),
  account: textFlag("account", { value: "<id>", help: "account of secrets named without an ARN (default *)", valid: /^\d{12}$/, expected: "a 12-digit AWS account ID", example: "123456789012" }),
  "aws-secret-prefix": textFlag("secretPrefix", AWS_SECRET_PREFIX),
  partition: textFlag("partition", { value: "<partition>", help: "ARN partition (default aws)", valid: /^aws(?:-[a-z]+)*$/, expected: "an ARN partition such as aws, aws-cn or aws-us-gov", example: "aws-cn" }),
};
