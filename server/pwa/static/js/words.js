// What the app says, in Chinese: states, outcomes, refusal reasons (the server's codes).

export const VISIT_STATES = {
  issued: "待检查", entered: "已入企", submitted: "已提交", closed: "已办结",
  cancelled: "已取消", merged: "已合并",
};

export const METHODS = {
  on_site: "现场检查", written_review: "书面检查", online_monitoring: "网络监测", video: "视频检查",
};

// Why the server refused an op (docs/sync-protocol.md section 6) or a request.
export const REASONS = {
  not_a_team_member: "您不在该任务的检查组中",
  visit_closed: "该检查已提交或已办结，不再接受修改",
  item_not_in_visit: "该检查事项不属于本次检查",
  item_of_other_department: "该事项由其他部门填写",
  unknown_field: "检查表中没有该项（表单可能已更新）",
  resolve_names_no_siblings: "解决冲突时未指明冲突的值",
  bad_value: "填写的值不符合要求",
  unknown_category: "结果类型不存在或已停用",
  invalid_code: "二维码无效",
  unknown_key: "二维码的签名密钥未知",
  wrong_kind: "二维码类型不对",
  wrong_visit_code: "这是另一次检查的检查码",
  wrong_premises: "这是另一家企业的场所码",
  code_revoked: "场所码已更换，请扫描最新的场所码",
  outside_window: "不在检查时间窗口内",
  validation_error: "数据格式不正确",
  not_ready: "还不能提交",
  unknown_device: "本机未登记或凭证有误",
  device_revoked: "本机已被停用，数据仍保存在本机",
  invalid_credentials: "用户名或密码不正确",
  login_throttled: "尝试次数过多，请稍后再试",
  forbidden: "该账号不是检查人员账号，不能使用本应用",
  body_too_large: "一次发送的数据过多",
  op_id_reused: "操作编号重复（程序错误，请导出备份并联系管理员）",
};

export function reasonText(code, fallback) {
  return REASONS[code] || fallback || code || "未知原因";
}

// Problems that keep a visit from being submitted (section 9).
export const PROBLEMS = {
  not_entered: "尚未扫码入企",
  unanswered: "有必填项未填写",
  result_missing: "未填写企业检查结果",
  conflicted: "有冲突未解决",
  signature_stale: "签字后检查表有改动，需重新签字",
  signatures_missing: "签字人数不足两人",
  department_unsigned: "有部门尚未签字",
  company_unsigned: "被检查单位当事人尚未签字（或记录拒签）",
};

// The review of a submitted visit's result (审核), as pull tells it.
export const REVIEWS = {
  submitted: "已提交，等待审核",
  approved: "审核通过，检查已办结",
  returned: "检查结果被退回修改",
};

// Why the phone (as the server would) refuses an entry, said at the door.
export const ENTRY_REFUSALS = {
  invalid_code: "这不是有效的场所码：无法识别、不是本系统签发的，或已被改动。",
  unknown_key: "场所码的签名密钥本机不认识：联网更新检查资料后再扫。",
  wrong_kind: "这不是场所码（可能扫了检查任务码）：请扫企业张贴的入企检查码。",
  wrong_visit_code: "本机的检查码不属于这次检查：联网更新检查资料。",
  wrong_premises: "这是另一家企业的场所码：请核对企业，扫本企业张贴的场所码。",
  code_revoked: "该场所码已作废（企业已换发新码）：请扫描最新张贴的场所码。",
  outside_window: "现在不在本次检查的时间窗口内，不能入企。",
  not_a_team_member: "您不在本次检查的检查组中。",
  visit_closed: "该检查已提交或已办结，不能再入企。",
};

export function entryRefusalText(code) {
  return ENTRY_REFUSALS[code] || reasonText(code);
}

// How the entry was made and what is flagged for the supervisor (the server's flags and
// the phone's own).
export const ENTRY_METHODS = { scan: "扫码入企", manual: "手工登记（无码）" };
export const ENTRY_FLAGS = {
  manual: "无码手工登记",
  no_position: "未取得定位",
  inspected_first: "先查后补扫",
  synced_later: "离线扫码、事后上报",
  far_from_premises: "距登记地址较远",
  recorded_late: "检查时间窗口后补录",
};

// A count of inspections this year against a yearly cap, this visit counted.
export const CAP_STATUS = { below: "未达上限", near: "接近上限", at: "达到上限", over: "超过上限" };
