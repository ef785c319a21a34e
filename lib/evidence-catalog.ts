import { Stack } from 'aws-cdk-lib';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-glue';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import {
  EVIDENCE_DATABASE,
  EVIDENCE_TABLES,
  type EvidenceTable,
  type PartitionProjection,
  projectionParameters,
} from './evidence-tables';

export interface EvidenceCatalogProps {
  evidenceBucket: IBucket;
  /** Projected per table and partition key name (see evidence-tables.ts). */
  projections: Record<EvidenceTable['name'], Record<string, PartitionProjection>>;
}

/** The Hive JSON SerDe and the text formats it reads; gzip is recognised by the `.gz` extension. */
const JSON_STORAGE = {
  inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
  serdeInfo: { serializationLibrary: 'org.apache.hive.hcatalog.data.JsonSerDe' },
};

/**
 * The Glue Data Catalog over the evidence store: a database with the collection records and the
 * change log as external tables whose partitions are projected from their Hive-style keys. There
 * is no crawler and nothing writes partitions: a new account, region or day is queryable as soon
 * as its first object lands (for enum-projected keys, once it is in the configuration).
 */
export class EvidenceCatalog extends Construct {
  readonly database: CfnDatabase;
  readonly tables: Record<EvidenceTable['name'], CfnTable>;

  constructor(scope: Construct, id: string, props: EvidenceCatalogProps) {
    super(scope, id);
    const catalogId = Stack.of(this).account;
    const bucketName = props.evidenceBucket.bucketName;

    this.database = new CfnDatabase(this, 'Database', {
      catalogId,
      databaseInput: {
        name: EVIDENCE_DATABASE,
        description: 'soc2-ml-evidence: the evidence store as tables, for Athena (partition projection, no crawler)',
      },
    });

    this.tables = Object.fromEntries(
      EVIDENCE_TABLES.map((table) => {
        const projections = props.projections[table.name];
        if (!projections) throw new Error(`no projections given for table ${table.name}`);
        const cfnTable = new CfnTable(this, table.name, {
          catalogId,
          databaseName: EVIDENCE_DATABASE,
          tableInput: {
            name: table.name,
            description: table.description,
            tableType: 'EXTERNAL_TABLE',
            parameters: { classification: 'json', ...projectionParameters(table, projections, bucketName) },
            partitionKeys: table.partitionKeys.map((key) => ({ name: key.name, type: 'string', comment: key.comment })),
            storageDescriptor: {
              ...JSON_STORAGE,
              location: `s3://${bucketName}/${table.prefix}`,
              compressed: true,
              columns: table.columns.map((column) => ({ ...column })),
            },
          },
        });
        cfnTable.addResourceDependency(this.database);
        return [table.name, cfnTable];
      }),
    );
  }
}
