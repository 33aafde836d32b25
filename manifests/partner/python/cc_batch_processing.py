"""Batch scoring: applies the default model to every customer of a feature table.

Fixes over the original guide: the features are passed to the model function as one
OBJECT (a UDF cannot take hundreds of arguments), the function is called by its
qualified name, and the procedure fails loudly when the customer column is missing.
"""

import snowflake.snowpark as snp
import snowflake.snowpark.functions as F

CUSTOMER = '"customer_ID"'
MODEL_FUNCTION = "SCORED_MODEL.SCORED_MODEL.BATCH_PREDICT_CC_DEFAULT"


def cc_batch_processing(session: snp.Session, raw_table: str, target_table: str) -> str:
    batch = session.table(raw_table)
    if CUSTOMER not in batch.columns:
        raise ValueError(f"{raw_table} has no {CUSTOMER} column")
    feature_cols = [c for c in batch.columns if c != CUSTOMER]

    # OBJECT_CONSTRUCT('P_2', P_2, 'B_1', B_1, ...): keys are the plain column names.
    pairs = []
    for c in feature_cols:
        pairs.extend([F.lit(c.strip('"')), F.col(c)])
    features = F.object_construct(*pairs)

    scored = batch.select(
        F.col(CUSTOMER),
        F.call_udf(MODEL_FUNCTION, features).alias("PREDICTION"),
    )
    scored.write.save_as_table(target_table, mode="append", column_order="name")
    return "Success"
