/** The actions the audit log records, with the Chinese the audit page shows. */
export const AUDIT_ACTIONS: Record<string, string> = {
  'login.success': '登录成功',
  'login.failure': '登录失败',
  'login.locked': '登录锁定',
  'login.refused_locked': '锁定期间尝试登录',
  logout: '退出登录',
  'user.password_change': '修改密码',
  'user.create': '新增用户',
  'user.update': '修改用户',
  'user.disable': '停用用户',
  'user.enable': '启用用户',
  'user.password_reset': '重置密码',
  'firm.create': '新增企业',
  'firm.update': '修改企业资料',
  'firm.stage': '移动阶段',
  'figures.update': '修改年度指标',
  'figures.import': '导入年度指标',
  'import.upload': '上传名单文件',
  'import.sheet': '更换导入工作表',
  'import.commit': '提交名单导入',
  'import.revert': '撤销名单导入',
  'import.discard': '放弃导入批次',
  'import.rejects_download': '下载未导入行',
  'audit.export': '导出审计日志',
  // Parks and towns (/admin/parks)
  'park.create': '新增园区/平台',
  'park.rename': '园区/平台改名',
  'park.merge': '合并园区/平台',
  'park.retire': '撤销园区/平台',
  'town.create': '新增镇街',
  'town.rename': '镇街改名',
  'town.merge': '合并镇街',
  'town.retire': '撤销镇街',
  // hardening-web (issue 8)
  'reauth.success': '管理员操作前确认身份',
  'reauth.failure': '管理员操作前确认身份失败',
  'access.denied': '拒绝访问',
  // eligibility-inputs (issue 12)
  'staff_months.update': '修改月度人数',
  'staff_months.delete': '删除月度人数',
  'compliance.event_add': '记录处罚/事故',
  'compliance.event_delete': '删除处罚/事故记录',
  'compliance.listing_add': '记录名单情况',
  'compliance.listing_delete': '删除名单记录',
  'compliance.checked': '记录信用核查',
  'eligibility.tsme_option': '登记科小研发投入评分选项',
  'ip.add': '登记知识产权',
  'ip.delete': '删除知识产权',
};

export function auditActionLabel(action: string): string {
  return AUDIT_ACTIONS[action] ?? action;
}
