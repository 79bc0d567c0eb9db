//! A plan run whole by one Ballista task: the shape of a distributed audit.
//!
//! Ballista cuts a plan into a stage at every exchange, and the audit's
//! findings plan (a union of one plan per rule, each with its own joins and
//! aggregates) would become hundreds of stages, more with every rule. A
//! shard of stations is a small, independent audit, so the client sends
//! each shard's findings plan wrapped in a [`WholePlan`]: the scheduler
//! plans it as one [`WholePlanExec`] with no exchange (one stage, one task),
//! and the executor that takes the task plans and runs the inner plan with
//! DataFusion in its own process, on its own memory pool. A month's audit
//! is then as many stages as it has shards, whatever the number of rules,
//! and every task of a stage runs the same kind of plan (their metrics
//! agree in shape).

use super::LakeCodec;
use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::Session;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::common::{DFSchemaRef, DataFusionError};
use datafusion::error::Result as DfResult;
use datafusion::execution::context::QueryPlanner;
use datafusion::execution::session_state::SessionStateBuilder;
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::logical_expr::physical_planning_context::PhysicalPlanningContext;
use datafusion::logical_expr::{LogicalPlan, UserDefinedLogicalNode, UserDefinedLogicalNodeCore};
use datafusion::physical_expr::{EquivalenceProperties, PhysicalExpr};
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    execute_stream, DisplayAs, DisplayFormatType, ExecutionPlan, Partitioning, PlanProperties,
};
use datafusion::physical_planner::{DefaultPhysicalPlanner, ExtensionPlanner, PhysicalPlanner};
use datafusion_proto::bytes::{
    logical_plan_from_bytes_with_extension_codec, logical_plan_to_bytes_with_extension_codec,
};
use datafusion_proto::physical_plan::{PhysicalExtensionCodec, PhysicalProtoConverterExtension};
use futures::{StreamExt, TryStreamExt};
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// Marks a [`WholePlan`] in a serialised logical plan.
pub const WHOLE_PLAN: &[u8] = b"cctns-audit whole plan\n";
/// Marks a [`WholePlanExec`] in a serialised physical plan.
const WHOLE_PLAN_EXEC: &[u8] = b"cctns-audit whole plan exec\n";

/// A logical plan carried as its serialised bytes (datafusion-proto with
/// [`LakeCodec`]), to be planned and run whole by the executor that takes it.
#[derive(Debug, Clone)]
pub struct WholePlan {
    plan: Arc<[u8]>,
    schema: DFSchemaRef,
}

impl WholePlan {
    /// `plan`, serialised to travel.
    pub fn new(plan: &LogicalPlan) -> DfResult<WholePlan> {
        let bytes = logical_plan_to_bytes_with_extension_codec(plan, &LakeCodec::default())?;
        Ok(WholePlan {
            plan: Arc::from(bytes.as_ref()),
            schema: Arc::clone(plan.schema()),
        })
    }

    /// The node written by [`WholePlan::to_bytes`], its schema read from the
    /// inner plan.
    pub fn from_bytes(bytes: &[u8], ctx: &TaskContext) -> DfResult<WholePlan> {
        let inner = decode(bytes, ctx)?;
        Ok(WholePlan {
            plan: Arc::from(bytes),
            schema: Arc::clone(inner.schema()),
        })
    }

    /// The inner plan's bytes.
    pub fn to_bytes(&self) -> &[u8] {
        &self.plan
    }
}

/// The logical plan in `bytes`.
fn decode(bytes: &[u8], ctx: &TaskContext) -> DfResult<LogicalPlan> {
    logical_plan_from_bytes_with_extension_codec(bytes, ctx, &LakeCodec::default())
}

impl PartialEq for WholePlan {
    fn eq(&self, other: &Self) -> bool {
        self.plan == other.plan
    }
}

impl Eq for WholePlan {}

impl PartialOrd for WholePlan {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.plan.cmp(&other.plan))
    }
}

impl Hash for WholePlan {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.plan.hash(state);
    }
}

impl UserDefinedLogicalNodeCore for WholePlan {
    fn name(&self) -> &str {
        "WholePlan"
    }

    fn inputs(&self) -> Vec<&LogicalPlan> {
        Vec::new()
    }

    fn schema(&self) -> &DFSchemaRef {
        &self.schema
    }

    fn expressions(&self) -> Vec<datafusion::logical_expr::Expr> {
        Vec::new()
    }

    fn fmt_for_explain(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "WholePlan: {} bytes", self.plan.len())
    }

    fn with_exprs_and_inputs(
        &self,
        _exprs: Vec<datafusion::logical_expr::Expr>,
        _inputs: Vec<LogicalPlan>,
    ) -> DfResult<Self> {
        Ok(self.clone())
    }
}

/// The physical form of a [`WholePlan`]: one partition, no input; executing
/// it plans the inner plan in the executor's session and runs every one of
/// its partitions.
#[derive(Debug)]
pub struct WholePlanExec {
    plan: Arc<[u8]>,
    schema: SchemaRef,
    properties: Arc<PlanProperties>,
}

impl WholePlanExec {
    fn new(plan: Arc<[u8]>, schema: SchemaRef) -> WholePlanExec {
        let properties = PlanProperties::new(
            EquivalenceProperties::new(Arc::clone(&schema)),
            Partitioning::UnknownPartitioning(1),
            EmissionType::Incremental,
            Boundedness::Bounded,
        );
        WholePlanExec {
            plan,
            schema,
            properties: Arc::new(properties),
        }
    }
}

impl DisplayAs for WholePlanExec {
    fn fmt_as(&self, _: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "WholePlanExec: {} bytes", self.plan.len())
    }
}

impl ExecutionPlan for WholePlanExec {
    fn name(&self) -> &str {
        "WholePlanExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        Vec::new()
    }

    fn apply_expressions(
        &self,
        _: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> DfResult<TreeNodeRecursion>,
    ) -> DfResult<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn with_new_children(
        self: Arc<Self>,
        _: Vec<Arc<dyn ExecutionPlan>>,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        Ok(self)
    }

    fn execute(
        &self,
        _partition: usize,
        task: Arc<TaskContext>,
    ) -> DfResult<SendableRecordBatchStream> {
        let (plan, schema) = (Arc::clone(&self.plan), Arc::clone(&self.schema));
        let batches = futures::stream::once(run_inner(plan, task)).try_flatten();
        let declared = Arc::clone(&schema);
        let batches = batches.map(move |b| b.and_then(|b| as_declared(b, &declared)));
        Ok(Box::pin(RecordBatchStreamAdapter::new(schema, batches)))
    }
}

/// Plans the serialised `plan` in a session of the task's configuration,
/// runtime (memory pool, disk manager) and functions, and runs it.
async fn run_inner(plan: Arc<[u8]>, task: Arc<TaskContext>) -> DfResult<SendableRecordBatchStream> {
    let logical = decode(&plan, &task)?;
    let state = SessionStateBuilder::new()
        .with_config(task.session_config().clone())
        .with_runtime_env(task.runtime_env())
        .with_default_features()
        .build();
    let physical = state.create_physical_plan(&logical).await?;
    execute_stream(physical, task)
}

/// `batch` under the node's declared schema (the inner plan's physical
/// schema may differ from the logical one in nullability or metadata only).
fn as_declared(batch: RecordBatch, schema: &SchemaRef) -> DfResult<RecordBatch> {
    if batch.schema() == *schema {
        return Ok(batch);
    }
    RecordBatch::try_new(Arc::clone(schema), batch.columns().to_vec())
        .map_err(DataFusionError::from)
}

/// Plans a [`WholePlan`] as a [`WholePlanExec`] (the scheduler's planner).
#[derive(Debug, Default)]
struct WholePlanPlanner;

#[async_trait::async_trait]
impl ExtensionPlanner for WholePlanPlanner {
    async fn plan_extension(
        &self,
        _planner: &dyn PhysicalPlanner,
        node: &dyn UserDefinedLogicalNode,
        _logical_inputs: &[&LogicalPlan],
        _physical_inputs: &[Arc<dyn ExecutionPlan>],
        _session: &dyn Session,
        _planning_ctx: &PhysicalPlanningContext,
    ) -> DfResult<Option<Arc<dyn ExecutionPlan>>> {
        let Some(whole) = node.as_any().downcast_ref::<WholePlan>() else {
            return Ok(None);
        };
        let schema = Arc::new(whole.schema.as_arrow().clone());
        Ok(Some(Arc::new(WholePlanExec::new(
            Arc::clone(&whole.plan),
            schema,
        ))))
    }
}

/// DataFusion's query planner, which also plans [`WholePlan`] nodes.
#[derive(Debug, Default)]
pub struct WholePlanQueryPlanner;

#[async_trait::async_trait]
impl QueryPlanner for WholePlanQueryPlanner {
    async fn create_physical_plan(
        &self,
        logical_plan: &LogicalPlan,
        session: &dyn Session,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        DefaultPhysicalPlanner::with_extension_planners(vec![Arc::new(WholePlanPlanner)])
            .create_physical_plan(logical_plan, session)
            .await
    }
}

/// Ballista's physical codec, with [`WholePlanExec`]: its inner plan's
/// bytes travel as they are; anything else is Ballista's.
#[derive(Debug, Default)]
pub struct AuditPhysicalCodec {
    ballista: ballista_core::serde::BallistaPhysicalExtensionCodec,
}

impl PhysicalExtensionCodec for AuditPhysicalCodec {
    fn try_decode(
        &self,
        buf: &[u8],
        inputs: &[Arc<dyn ExecutionPlan>],
        ctx: &TaskContext,
        proto_converter: &dyn PhysicalProtoConverterExtension,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        if let Some(plan) = buf.strip_prefix(WHOLE_PLAN_EXEC) {
            let inner = decode(plan, ctx)?;
            let schema = Arc::new(inner.schema().as_arrow().clone());
            return Ok(Arc::new(WholePlanExec::new(Arc::from(plan), schema)));
        }
        self.ballista.try_decode(buf, inputs, ctx, proto_converter)
    }

    fn try_encode(
        &self,
        node: Arc<dyn ExecutionPlan>,
        buf: &mut Vec<u8>,
        proto_converter: &dyn PhysicalProtoConverterExtension,
    ) -> DfResult<()> {
        if let Some(whole) = node.downcast_ref::<WholePlanExec>() {
            buf.extend_from_slice(WHOLE_PLAN_EXEC);
            buf.extend_from_slice(&whole.plan);
            return Ok(());
        }
        self.ballista.try_encode(node, buf, proto_converter)
    }
}
