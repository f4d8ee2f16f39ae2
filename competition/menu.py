"""大赛管理 in the back office: other screens join its submenu by registering with
``COMPETITION_SUBMENU_HOOK`` (导入文明实践阵地; judging: 导入县区管理员)."""

COMPETITION_SUBMENU_HOOK = "register_competition_menu_item"
